"""The app-bytes benchmark's measuring parts (its whole run starts `lso run`: `make bench` runs it)."""

from __future__ import annotations

import httpx

from bench.app_bytes import OLD_FIGURE_BYTES, WEBAPP, Frames, Meter, shell_files, wire_bytes


def test_the_shell_is_the_service_workers_list_of_existing_files() -> None:
    files = shell_files()
    assert "/app/js/components/transcript.js" in files and "/app/js/core/push.js" in files
    for path in files:
        name = path.removeprefix("/app/")
        assert name == "" or (WEBAPP / name).is_file(), path


def test_wire_bytes_count_the_status_line_headers_and_the_body_as_sent() -> None:
    response = httpx.Response(200, headers=[("content-encoding", "gzip"), ("vary", "Accept-Encoding")])
    head = (
        len("HTTP/1.1 200 OK\r\n") + len("content-encoding: gzip\r\n") + len("vary: Accept-Encoding\r\n") + 2
    )
    assert wire_bytes(response, b"x" * 120) == head + 120


def test_the_report_compares_now_with_the_issue_and_the_baseline() -> None:
    meter = Meter()
    meter.add(("now",), "api", 1000)
    meter.add(("now", "no_compression", "baseline"), "push", 350)
    meter.add(("no_compression",), "api", 4000)
    meter.add(("baseline",), "transcript", 26_000)
    report = meter.report()
    assert report["bytes"]["now"] == {"total": 1350, "shell": 0, "api": 1000, "transcript": 0, "push": 350}
    assert report["bytes"]["baseline"]["total"] == 26_350
    assert report["ratio_to_old_figure"] == round(1350 / OLD_FIGURE_BYTES, 4)
    assert report["ratio_to_baseline"] == round(1350 / 26_350, 4)


def test_websocket_frames_count_their_header_and_the_deflated_payload() -> None:
    event = (
        b'{"type":"event","event":{"kind":"negotiation-message","message":{"content":"' + b"x" * 300 + b'"}}}'
    )
    assert Frames(deflated=False).size(event) == len(event) + 4
    frames = Frames(deflated=True)
    first, second = frames.size(event), frames.size(event)
    assert first < len(event) // 2  # compressed
    assert second < first  # the context is kept from message to message
