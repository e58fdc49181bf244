"""`flask matching solve INSTANCE.json -o SCHEDULE.json`: exit codes, messages, files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.matching.engine.validate import check_schedule
from tests.matching.test_instance import BAD_INPUTS, mutate

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, instance) -> Path:
    path.write_text(instance if isinstance(instance, str) else json.dumps(instance), encoding="utf-8")
    return path


def test_a_good_instance_gives_exit_0_and_a_valid_schedule_file(runner, make_instance, tmp_path):
    instance = make_instance()
    source = write(tmp_path / "in.json", instance)
    target = tmp_path / "out.json"
    result = runner.invoke(args=["matching", "solve", str(source), "-o", str(target), "--time-limit", "10"])
    assert result.exit_code == 0, result.output
    schedule = json.loads(target.read_text(encoding="utf-8"))
    assert check_schedule(instance, schedule) == []
    assert "meetings" in result.stdout
    assert not list(tmp_path.glob(".out.json.*"))  # no temporary file left behind


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_an_invalid_instance_gives_exit_2_one_line_and_no_file(case, runner, make_instance, tmp_path):
    change, expected = BAD_INPUTS[case]
    source = write(tmp_path / "in.json", mutate(make_instance(), change))
    target = tmp_path / "out.json"
    result = runner.invoke(args=["matching", "solve", str(source), "-o", str(target)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize("text", ["{", "not json", '{"format": "ocopfair.matching/1", "session": '])
def test_malformed_json_gives_exit_2_and_no_file(text, runner, tmp_path):
    source = write(tmp_path / "in.json", text)
    target = tmp_path / "out.json"
    result = runner.invoke(args=["matching", "solve", str(source), "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: malformed JSON")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not target.exists()


def test_an_existing_schedule_is_left_untouched_when_the_instance_is_invalid(runner, make_instance, tmp_path):
    source = write(tmp_path / "in.json", "{")
    target = tmp_path / "out.json"
    target.write_text("previous schedule", encoding="utf-8")
    result = runner.invoke(args=["matching", "solve", str(source), "-o", str(target)])
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "previous schedule"


def test_a_missing_instance_file_gives_exit_2(runner, tmp_path):
    result = runner.invoke(
        args=["matching", "solve", str(tmp_path / "nope.json"), "-o", str(tmp_path / "o.json")]
    )
    assert result.exit_code == 2
    assert "error:" in result.stderr
    assert not (tmp_path / "o.json").exists()


def test_the_command_runs_as_a_program_with_one_error_line(make_instance, tmp_path):
    """A real process: the exit code and stderr a shell script sees."""
    instance = make_instance()
    instance["pairs"][3]["producer"] = "p99"
    source = write(tmp_path / "in.json", instance)
    code = "from app.matching.sessions.cli import matching_cli; matching_cli()"
    done = subprocess.run(
        [sys.executable, "-c", code, "solve", str(source), "-o", str(tmp_path / "out.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == 'error: pairs[3].producer: unknown id "p99"\n'
    assert not (tmp_path / "out.json").exists()
