"""The manufacturer's side of a distributed run: a :class:`PlatformAgent` whose every ACL message in
and out is also handed to the run's :class:`~simulation.recorder.Recorder`."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.runtime.platform_agent import PlatformAgent
from common.settings import Settings
from protocols.acl import AclMessage
from simulation.recorder import Recorder


class RecordedBuyer(PlatformAgent):
    def __init__(self, name: str, settings: Settings, recorder: Recorder) -> None:
        super().__init__(name, settings)
        self.recorder = recorder

    def send_acl(self, message: AclMessage) -> None:
        self.recorder.sent(message, datetime.now(UTC))
        super().send_acl(message)

    def receive_acl(self, message: AclMessage) -> None:
        self.recorder.received(message, datetime.now(UTC))
        super().receive_acl(message)
