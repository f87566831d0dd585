"""dltutor families (list, copy, check), teachers' folders through DLTUTOR_PROBLEMS, and stress's limits."""

from __future__ import annotations

import os
import time

from conftest import run_cli, run_process

BROKEN = 'id = "broken"\nversion = 1\n'      # no title, topic, kind, ...
NARROW = """id = "narrow"
version = 1
title = "Always the same question"
topic = "cnn"
kind = "conv-output"
prompt = "A 9x9 input, a 3x3 kernel, stride 1, no padding: the output size?"
hints = ["n - k + 1"]

[params]
n = { value = 9 }

[options]
input = "{n}"
kernel = "3"

[[parts]]
name = "out"
form = "integer"
answer = "answer"
marks = 1

[[misconceptions]]
id = "forgot-plus-one"
answers = { out = "n - 3" }
feedback = "The first window is an output too."
"""


def teacher_folder(tmp_path):
    folder = tmp_path / "mine"
    made = run_cli("families", "copy", "conv-output-size", str(folder), "--as", "my-conv-size")
    assert made.code == 0, made.err
    (folder / "broken.toml").write_text(BROKEN)
    (folder / "bomb.toml").write_text((folder / "my-conv-size.toml").read_text()
                                      .replace('id = "my-conv-size"', 'id = "bomb"')
                                      .replace("[params]", "[params]\nbig = { int = [0, 1000000000000] }", 1))
    return folder


def test_check_gives_one_line_per_file_and_fails_on_a_broken_one(tmp_path):
    folder = teacher_folder(tmp_path)
    result = run_cli("families", "check", str(folder), "-n", "30")
    lines = result.out.strip().splitlines()
    assert result.code == 1, result.err
    assert lines[0].startswith("FAIL  bomb.toml:") and "1,000,000" in lines[0]
    assert lines[1].startswith("FAIL  broken.toml:") and "title" in lines[1]
    assert lines[2].startswith("ok    my-conv-size.toml:")
    assert lines[3] == "1 of 3 family file(s) ok"
    (folder / "broken.toml").unlink()
    (folder / "bomb.toml").unlink()
    assert run_cli("families", "check", str(folder), "-n", "30").code == 0


def test_check_refuses_what_is_not_a_folder(tmp_path):
    result = run_cli("families", "check", str(tmp_path / "nowhere"))
    assert result.code == 2 and "not a folder" in result.err and result.err.count("\n") == 1


def test_a_teachers_folder_is_used_beside_the_built_in_families_and_a_broken_file_is_named(tmp_path):
    folder = teacher_folder(tmp_path)
    env = {"DLTUTOR_PROBLEMS": os.pathsep.join([str(folder), str(tmp_path / "gone")]),
           "DLTUTOR_HOME": str(tmp_path / "home")}
    listed = run_process("generate", "--list", env=env)
    assert listed.code == 0
    assert "my-conv-size" in listed.out and "conv-output-size" in listed.out and "broken" not in listed.out
    assert "broken.toml" in listed.err and "bomb.toml" in listed.err and "gone" in listed.err
    drawn = run_process("generate", "my-conv-size@1:5:hard", "--json", env=env)
    assert drawn.code == 0 and "Traceback" not in drawn.err
    named = run_process("generate", "broken", env=env)
    assert named.code == 2 and "broken.toml" in named.err
    exam = run_process("exam", "--plain", "--topics", "cnn", "--count", "3", "--seed", "1", "--no-record",
                       input="", env=env)
    assert exam.code == 0, exam.err


def test_stress_has_a_ceiling_and_fails_a_family_below_its_floor(tmp_path):
    assert run_cli("stress", "conv-output-size", "-n", "5001").code == 2
    whole = run_cli("stress", "-n", "5000")
    assert whole.code == 2 and "at most 50,000" in whole.err
    folder = tmp_path / "narrow"
    folder.mkdir()
    (folder / "narrow.toml").write_text(NARROW)     # one problem, the same at every difficulty
    start = time.perf_counter()
    result = run_process("stress", "narrow", "-n", "12", env={"DLTUTOR_PROBLEMS": str(folder)})
    assert result.code == 1, result.err
    assert "same ranges" in result.out and "1 failed" in result.out
    assert time.perf_counter() - start < 60
