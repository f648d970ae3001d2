"""``synthls doctor``'s report: platform, active layers, both trust profiles and a self-test."""

from __future__ import annotations

from synthls.sandbox.doctor import doctor_report


def test_doctor_report_lists_layers_profiles_and_passes_its_self_test() -> None:
    text, ok = doctor_report()
    assert ok, text
    assert "platform:" in text and "layers:" in text
    assert "seccomp" in text and "landlock" in text and "tmp_quota" in text
    assert "readonly_mounts" in text
    assert text.count("files:     chmod/chown/utime/xattr refused outside the temp dir") == 2
    assert "strict (engine candidates):" in text and "user (your own code" in text
    assert "64 MiB in all" in text and "processes: none" in text
    for check in (
        "SIGIO cannot be aimed at other processes",
        "no datagrams to host unix sockets",
        "temp dir has a total quota",
        "user profile: reads its project, runs a pool",
        "user profile: network is unreachable",
        "files outside the temp dir keep their mode, times and xattrs",
    ):
        assert f"[ok] {check}" in text
    assert "[FAIL]" not in text and text.count("[ok]") == 13
