# Run by run.test.sh with a connection that cannot open: the plugin must
# stop the run before this body runs (it would write uncaptured).
import os


def test_body_never_runs_without_a_session():
    open(os.environ["ODBCTX_TEST_MARKER"], "w").close()
