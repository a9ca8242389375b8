"""Ctrl+C as a terminal sends it, for the drivers the interrupt tests run in a new session
(test_documents_interrupt, test_check_interrupt).

``START_HOOK``: driver text (top level, after ``at`` and ``pids`` are defined: the moment asked for and an
open file) that defines ``ctrl_c()`` (SIGINT to the whole process group) and makes each ``multiprocessing``
process started write its id to ``pids``, then send Ctrl+C when ``at`` is ``start-N``, N the number of
processes started so far.
"""

START_HOOK = """
def ctrl_c():
    os.killpg(0, signal.SIGINT)  # a terminal's Ctrl+C: every process of the group

start = P.BaseProcess.start
def start_then_ctrl_c(self):
    start(self)
    print(self.pid, file=pids, flush=True)
    if at == f"start-{len(P._children)}":
        ctrl_c()
P.BaseProcess.start = start_then_ctrl_c
"""
