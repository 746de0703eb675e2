"""SDTM trial-design datasets (TA, TE, TV, TI, TS) of a protocol, and their files: CSV and CDISC
Dataset-JSON 1.1."""

from mil62sched.sdtm.datasets import datasets
from mil62sched.sdtm.files import dataset_csv, dataset_json
from mil62sched.sdtm.variables import Dataset, Variable

__all__ = ["Dataset", "Variable", "dataset_csv", "dataset_json", "datasets"]
