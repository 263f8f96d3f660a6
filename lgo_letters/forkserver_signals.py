"""Imported first by the build's fork server: Ctrl-C is the build's to handle.

The fork server imports WeasyPrint (about a second) before it starts ignoring SIGINT
itself, and Ctrl-C reaches the whole process group: without this, a Ctrl-C during start-up
printed the fork server's KeyboardInterrupt traceback under the build's own message.
Kept at the top of the package so that importing it imports nothing else first.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
