"""Reproducibility: the same sources and --today give byte-identical output, whatever the folder, the working
directory, the hash seed or the environment."""

from __future__ import annotations

from helpers import TODAY_ARG, copy_real_site, run_build_process, tree_files


def test_two_clean_builds_of_the_real_site_are_byte_identical(tmp_path):
    first = copy_real_site(tmp_path / "one" / "site")
    second = copy_real_site(tmp_path / "two" / "elsewhere" / "site")
    (tmp_path / "cwd").mkdir()
    runs = [
        (first, first, {"PYTHONHASHSEED": "1", "TZ": "UTC", "LANG": "C.UTF-8"}),
        (second, tmp_path / "cwd", {"PYTHONHASHSEED": "4242", "TZ": "Asia/Shanghai", "LANG": "zh_CN.UTF-8"}),
    ]
    for root, cwd, env in runs:
        done = run_build_process(["build", "--config", str(root / "site_config.yaml"), "--today", TODAY_ARG,
                                  "--quiet"], cwd=cwd, env=env)
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
    one, two = tree_files(first / "output"), tree_files(second / "output")
    assert sorted(one) == sorted(two)
    different = [name for name in one if one[name] != two[name]]
    assert different == []
    assert len(one) > 50
