"""The grader's end of the kernel's channels, with a cap on each message it accepts.

A kernel can send one message of gigabytes (a print flood, or on purpose); ZeroMQ
would hold all of it in the grader's memory. Past ``MAX_MESSAGE_BYTES`` ZeroMQ
drops the message and closes that channel instead. The kernel's
:class:`~autograder.sandbox.stream.ChunkedOutStream` keeps ordinary output far
below the cap.
"""

from __future__ import annotations

import zmq
from jupyter_client.asynchronous import AsyncKernelClient

MAX_MESSAGE_BYTES = 64 * 2**20


class BoundedKernelClient(AsyncKernelClient):
    def start_channels(self, *args, **kwargs) -> None:
        # The channels' sockets are made as they start: the context's default applies to each of them.
        self.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        super().start_channels(*args, **kwargs)
