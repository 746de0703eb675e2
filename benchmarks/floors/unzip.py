"""Floor of reading a workbook: zipfile reading (unpacking) every part of it, nothing parsed.

python floors/unzip.py FILE.xlsx
"""

import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as archive:
    for name in archive.namelist():
        archive.read(name)
