"""CM Simulator engine: scenarios, sessions, community voice, grading, knowledge, storage.

This package never imports streamlit: the app's pages are thin views over it.
"""

__version__ = "0.1.0"
