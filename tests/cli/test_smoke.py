from tests.conftest import Run


def test_design_card_command_prints_open_label_table(run: Run) -> None:
    result = run("plan", "--arm", "phase3-ocp", "--start", "2024-01-01")
    assert result.exit_code == 0, result.stderr
    assert "W131D1" in result.stdout
    assert "2026-06-29" in result.stdout
    assert "W25D1" not in result.stdout


def test_unknown_arm_is_one_line_with_exit_2(run: Run) -> None:
    result = run("plan", "--arm", "phase3-rpc", "--start", "2024-01-01")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "did you mean 'phase3-rcp'" in result.stderr
