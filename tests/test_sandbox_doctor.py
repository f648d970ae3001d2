"""``synthls doctor``'s report: platform, active layers and a self-test that really runs."""

from __future__ import annotations

from synthls.sandbox.doctor import doctor_report


def test_doctor_report_lists_layers_and_passes_its_self_test() -> None:
    text, ok = doctor_report()
    assert ok, text
    assert "platform:" in text and "layers:" in text
    assert "seccomp" in text and "landlock" in text
    assert "[FAIL]" not in text and text.count("[ok]") == 7
