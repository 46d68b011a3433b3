"""Files as option values: upload (size, type by content), order with numbers, texts and files, download by
the order's parties only."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
from fastapi import FastAPI

from gateway.api.routes.uploads import safe_name
from ontology.order import Order
from store.database import Database
from tests.gateway.recording_bridge import RecordingBridge
from tests.gateway.world import People, User, bike_body, order_body, part

pytest_plugins = ("tests.gateway.fixtures",)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
STEP = (
    b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('bracket'),'2;1');\nENDSEC;\nDATA;\nENDSEC;\n"
    + b"END-ISO-10303-21;\n"
)


def frame_body() -> dict[str, Any]:
    """The bike with a body height (cm, only made to measure), an engraving and a drawing for the frame."""
    body = bike_body("frame")
    body["options"][0]["choices"].append(
        {"id": "custom", "label": "Made to measure", "parts": [part("frame", "welding", "steel", 150)]}
    )
    body["options"] += [
        {
            "id": "height",
            "label": "Body height",
            "kind": "number",
            "number": {"unit": "cm", "minimum": "140", "maximum": "210", "step": "1"},
            "only_when": {"option": "frame", "choices": ["custom"]},
            "used_by": ["frame"],
        },
        {
            "id": "engraving",
            "label": "Engraving",
            "kind": "text",
            "required": False,
            "text": {"max_length": 12},
            "used_by": ["frame"],
        },
        {
            "id": "drawing",
            "label": "Drawing",
            "kind": "file",
            "file": {"media_types": ["model/step", "application/pdf"], "max_bytes": 100_000},
            "used_by": ["frame"],
        },
    ]
    return body


async def upload(
    client: httpx.AsyncClient, user: User, content: bytes, name: str = "drawing.step"
) -> httpx.Response:
    return await client.post(
        "/uploads", files={"file": (name, content, "application/octet-stream")}, headers=user.headers
    )


async def uploaded(
    client: httpx.AsyncClient, user: User, content: bytes = STEP, name: str = "drawing.step"
) -> str:
    response = await upload(client, user, content, name)
    assert response.status_code == 201, response.text
    upload_id: str = response.json()["id"]
    return upload_id


async def test_an_upload_is_judged_by_its_content_and_its_size(
    client: httpx.AsyncClient, gateway_app: FastAPI, people: People
) -> None:
    response = await upload(client, people.alice, STEP, "../../etc/my drawing.step")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == "my drawing.step"
    assert (body["media_type"], body["size"]) == ("model/step", len(STEP))
    assert body["sha256"] == hashlib.sha256(STEP).hexdigest()
    assert (await upload(client, people.alice, PDF, "looks-like.png")).json()[
        "media_type"
    ] == "application/pdf"

    html = await upload(client, people.alice, b"<html><script>alert(1)</script></html>", "drawing.pdf")
    assert html.status_code == 415, html.text
    assert "is not a PDF, PNG, JPEG, SVG, STEP, STL or DXF file" in html.json()["detail"]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    unsafe = await upload(client, people.alice, svg, "art.svg")
    assert unsafe.status_code == 415 and "script element" in unsafe.json()["detail"]
    assert (await upload(client, people.alice, b"", "empty.pdf")).status_code == 422
    assert (await upload(client, people.maker, STEP)).status_code == 403, "customers upload"

    settings = gateway_app.state.settings
    gateway_app.state.settings = settings.model_copy(update={"upload_max_bytes": 2048})
    too_large = await upload(client, people.alice, PDF + b"0" * 2048, "big.pdf")
    assert too_large.status_code == 413, too_large.text
    assert too_large.json()["detail"] == "'big.pdf' is larger than 2.05 kB, the largest file accepted"


async def test_an_order_with_a_number_a_text_and_a_file_reaches_the_agents_and_both_parties(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    assert (
        await client.post("/products", json=frame_body(), headers=people.maker.headers)
    ).status_code == 201
    drawing = await uploaded(client, people.alice)
    body = order_body(
        "frame",
        options={"colour": "red", "frame": "custom"},
        numbers={"height": 182},
        texts={"engraving": "Anna"},
        files={"drawing": drawing},
    )
    placed = await client.post("/orders", json=body, headers=people.alice.headers)
    assert placed.status_code == 202, placed.text
    order_id = placed.json()["id"]

    (call,) = bridge.called("place_order")
    order: Order = call.args[0]
    assert order.customisation.numbers == {"height": 182}
    assert order.customisation.texts == {"engraving": "Anna"}
    attached = order.customisation.files["drawing"]
    assert (attached.upload_id, attached.name, attached.sha256) == (
        drawing,
        "drawing.step",
        hashlib.sha256(STEP).hexdigest(),
    )
    async with db.transaction() as repos:
        assert (await repos.uploads.get(drawing)).order_id == order_id  # type: ignore[union-attr]

    for party in (people.alice, people.maker):
        read = (await client.get(f"/orders/{order_id}", headers=party.headers)).json()
        assert read["numbers"] == {"height": "182"} and read["texts"] == {"engraving": "Anna"}
        assert read["files"]["drawing"]["name"] == "drawing.step"
        got = await client.get(f"/orders/{order_id}/files/{drawing}", headers=party.headers)
        assert got.status_code == 200 and got.content == STEP
        assert got.headers["content-type"] == "model/step"
        assert got.headers["content-disposition"] == (
            "attachment; filename=\"drawing.step\"; filename*=UTF-8''drawing.step"
        )
        assert got.headers["x-content-type-options"] == "nosniff"
    for stranger in (people.bob, people.rival):
        assert (
            await client.get(f"/orders/{order_id}/files/{drawing}", headers=stranger.headers)
        ).status_code == 404
    other = await uploaded(client, people.alice, PDF, "other.pdf")
    not_given = await client.get(f"/orders/{order_id}/files/{other}", headers=people.alice.headers)
    assert not_given.status_code == 404, "only the files the order was given"

    # someone else's upload, and values that do not fit: 422 per field, nothing more reaches the agents
    alices = await uploaded(client, people.alice)
    stolen = order_body("frame", files={"drawing": alices})
    refused = await client.post("/orders", json=stolen, headers=people.bob.headers)
    assert refused.status_code == 422
    assert [(e["field"], e["message"]) for e in refused.json()["errors"]] == [
        ("body.files.drawing", f"you have no upload {alices}: upload the file first (POST /uploads)")
    ]

    pdf = await uploaded(client, people.alice, PDF, "scan.pdf")
    wrong = order_body(
        "frame",
        options={"colour": "red", "frame": "custom"},
        numbers={"height": 250},
        texts={"engraving": "Anna and Ben forever"},
        files={"drawing": pdf},
    )
    bad = await client.post("/orders", json=wrong, headers=people.alice.headers)
    assert bad.status_code == 422
    assert [(e["field"], e["message"]) for e in bad.json()["errors"]] == [
        ("body.numbers.height", "Body height must be from 140 to 210 cm, not 250"),
        ("body.texts.engraving", "Engraving may have at most 12 characters, not 20"),
    ]
    missing = await client.post("/orders", json=order_body("frame"), headers=people.alice.headers)
    assert [e["field"] for e in missing.json()["errors"]] == ["body.files.drawing"]
    assert len(bridge.called("place_order")) == 1


def test_a_file_name_loses_its_folders_and_control_characters() -> None:
    assert safe_name("C:\\Users\\ann\\bracket v2.step") == "bracket v2.step"
    assert safe_name("a\x00b\nc.pdf") == "abc.pdf"
    assert safe_name(None) == safe_name(" / ") == "file"
    long = safe_name("x" * 300 + ".step")
    assert len(long) == 200 and long.endswith(".step")
