"""The catalogue: everyone logged in reads it; a manufacturer adds and changes only its own products."""

from __future__ import annotations

from decimal import Decimal

import httpx

from tests.gateway.world import People, bike_body, login

pytest_plugins = ("tests.gateway.fixtures",)


async def test_the_catalogue_needs_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/products")).status_code == 401
    assert (await client.get("/products/bike")).status_code == 401


async def test_its_manufacturer_reads_what_each_choice_costs_and_the_parts_each_needs(
    client: httpx.AsyncClient, people: People
) -> None:
    response = await client.get("/products/bike", headers=people.maker.headers)
    assert response.status_code == 200
    product = response.json()
    assert product["manufacturer_id"] == people.maker.id
    assert Decimal(product["base_cost"]) == Decimal("400.00")
    assert Decimal(product["price_from"]) == Decimal("400.00")
    assert [part["part_id"] for part in product["base_parts"]] == ["assembly"]
    frame = product["options"][0]
    assert frame["id"] == "frame" and frame["default"] == "steel"
    aluminium = frame["choices"][1]
    assert Decimal(aluminium["cost_delta"]) == Decimal("80.00")
    assert aluminium["parts"][0]["process"] == "welding"
    assert aluminium["parts"][0]["material"] == "aluminium"
    assert aluminium["machine_minutes"] == 130
    assert product["options"][2]["required"] is False


async def test_customers_and_other_manufacturers_read_choices_and_prices_but_no_costs(
    client: httpx.AsyncClient, people: People
) -> None:
    for reader in (people.alice, people.rival):
        one = (await client.get("/products/bike", headers=reader.headers)).json()
        items = (await client.get("/products", headers=reader.headers)).json()["items"]
        listed = next(p for p in items if p["id"] == "bike")
        for product in (one, listed):
            assert Decimal(product["price_from"]) == Decimal("400.00")
            assert product["base_cost"] is None and product["base_parts"] == []
            frame = product["options"][0]
            assert [c["label"] for c in frame["choices"]][:2] == ["Steel", "Aluminium"]
            for choice in (c for option in product["options"] for c in option["choices"]):
                assert (choice["cost_delta"], choice["parts"], choice["machine_minutes"]) == (None, [], None)


async def test_the_catalogue_lists_pages_and_filters_by_manufacturer(
    client: httpx.AsyncClient, people: People
) -> None:
    second = {**bike_body("tandem"), "name": "Tandem"}
    assert (await client.post("/products", json=second, headers=people.maker.headers)).status_code == 201
    other = {**bike_body("scooter"), "name": "Scooter"}
    assert (await client.post("/products", json=other, headers=people.rival.headers)).status_code == 201

    everything = await client.get("/products", headers=people.bob.headers)
    assert [p["id"] for p in everything.json()["items"]] == ["bike", "scooter", "tandem"]
    first = await client.get("/products", params={"limit": 2}, headers=people.bob.headers)
    assert [p["id"] for p in first.json()["items"]] == ["bike", "scooter"]
    assert first.json()["next_offset"] == 2
    rest = await client.get("/products", params={"limit": 2, "offset": 2}, headers=people.bob.headers)
    assert [p["id"] for p in rest.json()["items"]] == ["tandem"]
    assert rest.json()["next_offset"] is None
    of_rival = await client.get(
        "/products", params={"manufacturer_id": people.rival.id}, headers=people.bob.headers
    )
    assert [p["id"] for p in of_rival.json()["items"]] == ["scooter"]
    assert (await client.get("/products", params={"limit": 0}, headers=people.bob.headers)).status_code == 422


async def test_a_new_product_answers_201_with_its_location(client: httpx.AsyncClient) -> None:
    maker = await login(client, "maker@example.org", "manufacturer")
    body = bike_body()
    del body["id"]
    created = await client.post("/products", json=body, headers=maker.headers)
    assert created.status_code == 201
    product_id = created.json()["id"]
    assert created.headers["location"] == f"/products/{product_id}"
    assert (await client.get(f"/products/{product_id}", headers=maker.headers)).json()["name"] == "Bike"


async def test_only_manufacturers_add_products(client: httpx.AsyncClient, people: People) -> None:
    response = await client.post("/products", json=bike_body("mine"), headers=people.alice.headers)
    assert response.status_code == 403
    assert (await client.get("/products/mine", headers=people.alice.headers)).status_code == 404


async def test_a_product_id_is_taken_once(client: httpx.AsyncClient, people: People) -> None:
    again = await client.post("/products", json=bike_body(), headers=people.rival.headers)
    assert again.status_code == 409


async def test_products_the_ontology_refuses_are_422(client: httpx.AsyncClient, people: People) -> None:
    unknown_process = bike_body("p1")
    unknown_process["base_parts"][0]["process"] = "alchemy"
    bad_default = bike_body("p2")
    bad_default["options"][0]["default"] = "gold"
    part_twice = bike_body("p3")
    part_twice["base_parts"].append({"part_id": "frame", "process": "welding"})
    negative = bike_body("p4")
    negative["base_cost"] = "10.00"
    negative["options"][0]["choices"][0]["cost_delta"] = "-50.00"
    for body in (unknown_process, bad_default, part_twice, negative, {"name": "no cost"}):
        response = await client.post("/products", json=body, headers=people.maker.headers)
        assert response.status_code == 422, (body, response.text)
    listed = await client.get("/products", headers=people.maker.headers)
    assert [p["id"] for p in listed.json()["items"]] == ["bike"]


async def test_a_manufacturer_changes_its_own_product(client: httpx.AsyncClient, people: People) -> None:
    body = bike_body()
    del body["id"]
    body["name"] = "Gravel bike"
    body["base_cost"] = "450.00"
    body["options"] = body["options"][:1]
    changed = await client.put("/products/bike", json=body, headers=people.maker.headers)
    assert changed.status_code == 200, changed.text
    read = (await client.get("/products/bike", headers=people.maker.headers)).json()
    assert read["name"] == "Gravel bike"
    assert Decimal(read["base_cost"]) == Decimal("450.00")
    assert [o["id"] for o in read["options"]] == ["frame"]
    seen = (await client.get("/products/bike", headers=people.alice.headers)).json()
    assert (seen["name"], seen["base_cost"]) == ("Gravel bike", None)


async def test_someone_elses_product_is_404_to_change(client: httpx.AsyncClient, people: People) -> None:
    body = bike_body()
    del body["id"]
    body["name"] = "Stolen"
    assert (await client.put("/products/bike", json=body, headers=people.rival.headers)).status_code == 404
    assert (await client.put("/products/nothing", json=body, headers=people.maker.headers)).status_code == 404
    assert (await client.put("/products/bike", json=body, headers=people.alice.headers)).status_code == 403
    assert (await client.get("/products/bike", headers=people.alice.headers)).json()["name"] == "Bike"


async def test_an_invalid_change_leaves_the_product_as_it_was(
    client: httpx.AsyncClient, people: People
) -> None:
    body = bike_body()
    del body["id"]
    body["options"][0]["default"] = "gold"
    assert (await client.put("/products/bike", json=body, headers=people.maker.headers)).status_code == 422
    read = (await client.get("/products/bike", headers=people.alice.headers)).json()
    assert read["options"][0]["default"] == "steel"


async def test_an_unknown_product_is_404(client: httpx.AsyncClient, people: People) -> None:
    assert (await client.get("/products/nothing", headers=people.alice.headers)).status_code == 404
