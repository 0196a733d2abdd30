"""A replay writer's per-receiver state set aside while the receiver is quiet (cli/replay_quiet.py):
out of memory as objects, back equal on the receiver's next lookup, what `detach` took out handed
back to `attach` as the same object. (That no output changes: tests/reassembly/test_parking.py.)"""

from __future__ import annotations

import hashlib

from wsarecv_cli.cli.replay_quiet import QuietReceivers


class State:
    def __init__(self, n: int) -> None:
        self.n = n
        self.rows = [n] * 10
        self.sha = hashlib.sha256(b"%d" % n)  # cannot be pickled: detach takes it out
        self.shared = None


def detach(state: State):
    sha, state.sha = state.sha, None
    return sha


def attach(state: State, sha) -> None:
    state.sha = sha


def test_a_quiet_state_leaves_memory_and_comes_back_on_its_next_lookup() -> None:
    receivers = QuietReceivers(detach, attach)
    states = {key: State(key) for key in range(50)}
    receivers.update(states)
    hashes = {key: state.sha for key, state in states.items()}
    for key in range(0, 50, 2):
        receivers.set_aside(key)
    assert sorted(receivers) == list(range(1, 50, 2))  # the quiet ones are no longer objects here
    for key in range(0, 50, 2):
        back = receivers[key]  # the receiver's next item
        assert back is not states[key] and (back.n, back.rows) == (key, [key] * 10)
        assert back.sha is hashes[key]  # the running hash itself, not a copy
        assert key in receivers
    receivers.close()


def test_a_state_that_cannot_be_pickled_stays_as_it_is() -> None:
    receivers = QuietReceivers(detach, attach)
    state = receivers[1] = State(1)
    state.shared = lambda: None
    receivers.set_aside(1)
    assert receivers[1] is state and state.sha is not None  # left in place, its hash put back
    receivers.set_aside(2)  # an unknown key: nothing to do
    assert 2 not in receivers
