"""Fixtures shared by the whole suite."""

import os

# The tests spawn agents as child processes while dazl's gRPC channels run threads in the test process; gRPC's
# fork handlers then run in a child between fork and exec and may abort it (SIGABRT). The children exec at
# once and share nothing with gRPC, so the handlers are turned off (read when grpc is first imported).
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

pytest_plugins = ["tests.xmpp_servers"]
