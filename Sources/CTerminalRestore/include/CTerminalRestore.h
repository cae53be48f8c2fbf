#ifndef CTERMINALRESTORE_H
#define CTERMINALRESTORE_H

// Gives the terminal back when the process dies while the viewer has it: a fatal signal
// (a crash, a Swift runtime trap, kill), or exit() from anywhere. The signal handler is
// written in C so that it provably does only async-signal-safe things: write(2) of bytes
// prepared when the screen opened, tcsetattr(3) of the modes saved then, dup2(2), and
// then the process dies of the same signal. Only TerminalBackend calls this.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// `stv_guard_install` flags.

/// While installed, send standard error to a buffer when it is the viewer's terminal,
/// and replay it on the normal screen once the terminal is restored. Without this the
/// Swift runtime's "Fatal error: ..." line, written just before it traps, lands on the
/// alternate screen and is wiped with it.
#define STV_GUARD_CAPTURE_STDERR 1
/// Before handing a crash to the previous handler (the Swift runtime's backtracer), give
/// it a standard input that answers its "press a key" prompt, so an interactive backtracer
/// prints its report and ends instead of waiting 30 s for a key. Only when standard input
/// is a terminal (otherwise the backtracer is not interactive).
#define STV_GUARD_QUIET_BACKTRACER 2

/// Installs the guard over the terminal `tty_fd` (the viewer's /dev/tty). Call it before
/// the terminal is changed (before ncurses' newterm): it saves the terminal's modes now,
/// as the ones to restore, and it installs handlers for every signal whose default action
/// ends the process, except those that are ignored or, for the signals that only
/// terminate, already have a handler. Sets up an alternate signal stack on the calling
/// thread if it has none, so a stack overflow still reaches the handler. Registers an
/// atexit hook the first time. Returns 0, or an errno value (EBUSY when already installed).
int stv_guard_install(int tty_fd, int flags);

/// Sets the bytes that put the terminal back (leave the alternate screen, show the cursor,
/// mouse reporting and keypad mode off, attributes reset); they are copied. Until this is
/// called, or if it fails, a fatal signal restores the saved modes only.
/// Returns 0, or EINVAL when not installed, or E2BIG when longer than the guard holds.
int stv_guard_arm(const char *bytes, size_t length);

/// Restores the terminal now, for a process that is ending: points the viewer's own
/// descriptor (`tty_fd` of `stv_guard_install`) at /dev/null, so other threads can no
/// longer draw, writes the prepared bytes through a duplicate, sets the saved modes, and
/// replays what standard error received meanwhile. Only the first call (or fatal signal)
/// does it. Async-signal-safe. The handlers stay installed.
void stv_guard_restore(void);

/// Takes the guard down after the terminal was restored by other means (ncurses'
/// endwin): puts standard error back and replays it, puts back the signal handlers that
/// were there before `stv_guard_install`, and removes the signal stack it added.
/// Does nothing when not installed.
void stv_guard_uninstall(void);

/// Hands the first SIGTERM, SIGINT or SIGHUP that arrives while the guard is installed to
/// `fd` (one byte, the signal's number) instead of ending the process, so a thread reading
/// it can write what must not be lost and then end the process itself (restore with
/// `stv_guard_restore`, then die of the signal). A second such signal ends the process at
/// once, as without this. -1 turns it off.
void stv_guard_defer_termination(int fd);
/// Whether the guard is installed.
int stv_guard_is_installed(void);

/// How many signals the guard currently handles (for tests and diagnostics).
int stv_guard_handled_signal_count(void);

#ifdef __cplusplus
}
#endif

#endif /* CTERMINALRESTORE_H */
