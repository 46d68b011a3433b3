"""Fixtures of the resource tests: the recording bridge installed in the gateway, the people, the database.

Test modules use them with ``pytest_plugins = ("tests.gateway.fixtures",)``.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from store.database import Database
from tests.gateway.recording_bridge import RecordingBridge
from tests.gateway.world import People, people_and_bike


@pytest.fixture
def bridge(gateway_app: FastAPI) -> RecordingBridge:
    """The recording bridge, installed in the gateway of the test."""
    recording = RecordingBridge()
    gateway_app.state.bridge = recording
    return recording


@pytest.fixture
async def people(client: httpx.AsyncClient) -> People:
    return await people_and_bike(client)


@pytest.fixture
def db(gateway_app: FastAPI) -> Database:
    database: Database = gateway_app.state.db
    return database
