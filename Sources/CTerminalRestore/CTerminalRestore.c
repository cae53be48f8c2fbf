// The terminal guard: see include/CTerminalRestore.h.
//
// Everything the signal handler touches is prepared beforehand in static storage: the
// restore bytes, the saved termios, a duplicate of the terminal's descriptor, the capture
// of standard error and a pipe holding the answer for an interactive backtracer. The handler itself calls only
// functions on POSIX's async-signal-safe list (write, read, lseek, tcsetattr, dup2,
// sigaction, sigprocmask, raise, nanosleep, _exit) plus the gettid system call, and
// atomics on plain words. It never allocates, locks or touches stdio or ncurses.

#define _GNU_SOURCE 1  // memfd_create, syscall, SIGRTMIN
#include "CTerminalRestore.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#else
#include <pthread.h>
#endif

// MARK: - State

enum { MAX_SIGNALS = 96, RESTORE_CAPACITY = 1024, STACK_SIZE = 128 * 1024 };

typedef struct {
    int signo;
    /// Its default action dumps core: a crash. The previous handler (the Swift runtime's
    /// backtracer) is called after the terminal is restored.
    bool crash;
    struct sigaction previous;
} Handled;

static Handled handled[MAX_SIGNALS];
static int handled_count;
static bool installed;

static int tty_fd = -1;              // our duplicate of the viewer's terminal
static int viewer_tty_fd = -1;       // the descriptor the viewer (ncurses) writes to
static int sink_fd = -1;             // /dev/null, put over viewer_tty_fd when dying
static struct termios saved_modes;   // the terminal's modes before the viewer changed them
static bool have_saved_modes;
static char restore_bytes[RESTORE_CAPACITY];
static size_t armed_length;          // atomic: 0 until stv_guard_arm

static int saved_stderr = -1;        // the real standard error while it is captured
static int capture_fd = -1;          // what standard error received meanwhile
static char replay_buffer[4096];
static int answer_fd = -1;           // standard input for the backtracer, when quieted

static int restored;                 // atomic: the first restorer set it
static int restore_done;             // atomic: that restorer has finished
static long handling_thread;         // atomic: the thread in the handler, 0 if none
static int deferred_fd = -1;         // atomic: where SIGTERM/SIGINT/SIGHUP are handed on, -1 if not
static int deferral_used;            // atomic: one was handed on already

static void *own_stack;              // the signal stack we added, if any
static size_t own_stack_size;
static stack_t previous_stack;
static long installing_thread;

static bool atexit_registered;

// MARK: - Small safe helpers

static long current_thread(void) {
#if defined(__linux__)
    return (long)syscall(SYS_gettid);
#else
    return (long)(uintptr_t)pthread_self();
#endif
}

static void write_all(int fd, const char *bytes, size_t length) {
    int stalls = 0;
    while (length > 0) {
        ssize_t written = write(fd, bytes, length);
        if (written > 0) {
            bytes += written;
            length -= (size_t)written;
        } else if (written < 0 && errno == EINTR) {
            continue;
        } else if (written < 0 && errno == EAGAIN && stalls++ < 100) {
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
        } else {
            return;  // the terminal is gone: nothing more to do
        }
    }
}

static void sleep_briefly(void) {
    struct timespec pause = {0, 5000000};
    nanosleep(&pause, NULL);
}

/// Puts standard error back and writes out what it received while captured.
static void put_back_stderr(void) {
    if (saved_stderr < 0) return;
    while (dup2(saved_stderr, STDERR_FILENO) < 0 && errno == EINTR) {}
    if (capture_fd >= 0 && lseek(capture_fd, 0, SEEK_SET) == 0) {
        for (;;) {
            ssize_t count = read(capture_fd, replay_buffer, sizeof replay_buffer);
            if (count < 0 && errno == EINTR) continue;
            if (count <= 0) break;
            write_all(STDERR_FILENO, replay_buffer, (size_t)count);
        }
    }
    close(saved_stderr);
    saved_stderr = -1;
    if (capture_fd >= 0) close(capture_fd);
    capture_fd = -1;
}

/// The first caller writes the restore bytes, sets the saved modes and replays standard
/// error; later callers wait (a little) until it has finished.
static void restore_terminal(void) {
    if (__atomic_exchange_n(&restored, 1, __ATOMIC_ACQ_REL)) {
        for (int i = 0; i < 200 && !__atomic_load_n(&restore_done, __ATOMIC_ACQUIRE); i++) sleep_briefly();
        return;
    }
    size_t length = __atomic_load_n(&armed_length, __ATOMIC_ACQUIRE);
    // The process is ending: whatever another thread of the viewer still draws (it runs
    // on until the backtracer suspends it) goes nowhere instead of over the report.
    if (sink_fd >= 0 && viewer_tty_fd >= 0) dup2(sink_fd, viewer_tty_fd);
    if (tty_fd >= 0) {
        if (length > 0) write_all(tty_fd, restore_bytes, length);
        // TCSANOW: the bytes above are already in the output queue, processed with the
        // modes they were written under; TCSADRAIN could wait on a stalled terminal.
        if (have_saved_modes) {
            while (tcsetattr(tty_fd, TCSANOW, &saved_modes) < 0 && errno == EINTR) {}
        }
    }
    put_back_stderr();
    __atomic_store_n(&restore_done, 1, __ATOMIC_RELEASE);
}

static int slot_of(int signo) {
    for (int i = 0; i < handled_count; i++) {
        if (handled[i].signo == signo) return i;
    }
    return -1;
}

/// Ends the process by `signo`'s default action, as if no handler had been installed.
static void die_by(int signo, const siginfo_t *info) {
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signo, &fallback, NULL);
    // A fault the kernel raised (a bad access, an illegal instruction such as a Swift
    // trap's ud2): returning runs the instruction again, which now ends the process with
    // the fault's own address and registers, for a core dump or a debugger.
    if (info != NULL && info->si_code > 0
        && (signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE)) {
        return;
    }
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signo);
    sigprocmask(SIG_UNBLOCK, &only, NULL);
    raise(signo);
    _exit(128 + signo);  // not reached for a signal whose default ends the process
}

// MARK: - The handler

static void on_fatal_signal(int signo, siginfo_t *info, void *context) {
    int saved_errno = errno;
    if (signo == SIGTERM || signo == SIGINT || signo == SIGHUP) {
        // Asked to end, not a crash: the first such signal goes to the thread that writes
        // what must not be lost, which restores the terminal and ends the process itself.
        int fd = __atomic_load_n(&deferred_fd, __ATOMIC_ACQUIRE);
        if (fd >= 0 && __atomic_exchange_n(&deferral_used, 1, __ATOMIC_ACQ_REL) == 0) {
            unsigned char byte = (unsigned char)signo;
            if (write(fd, &byte, 1) == 1) {
                errno = saved_errno;
                return;
            }
        }
    }
    long self = current_thread();
    long expected = 0;
    if (!__atomic_compare_exchange_n(&handling_thread, &expected, self, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
        && expected == self) {
        // A fault inside this handler or the one it passed the crash to: end now.
        die_by(signo, NULL);
        return;
    }
    restore_terminal();

    int slot = slot_of(signo);
    if (slot >= 0 && handled[slot].crash) {
        const struct sigaction *previous = &handled[slot].previous;
        bool withInfo = (previous->sa_flags & SA_SIGINFO) != 0;
        if (withInfo ? previous->sa_sigaction != NULL
                     : (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN)) {
            if (answer_fd >= 0) dup2(answer_fd, STDIN_FILENO);
            errno = saved_errno;
            if (withInfo) {
                previous->sa_sigaction(signo, info, context);
            } else {
                previous->sa_handler(signo);
            }
        }
    }
    errno = saved_errno;
    die_by(signo, info);
}

static void restore_at_exit(void) {
    if (installed) restore_terminal();
}

// MARK: - Which signals

static bool is_crash_signal(int signo) {
    switch (signo) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
    case SIGSEGV: case SIGSYS: case SIGXCPU: case SIGXFSZ:
        return true;
    default:
        return false;
    }
}

/// Every signal whose default action ends the process, except SIGKILL (and SIGSTOP),
/// which cannot be caught.
static int fatal_signals(int *out, int capacity) {
    static const int fixed[] = {
        // Dump core: crashes.
        SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSYS, SIGXCPU, SIGXFSZ,
        // Terminate.
        SIGHUP, SIGINT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2, SIGVTALRM, SIGPROF,
#ifdef SIGIO
        SIGIO,
#endif
#ifdef SIGSTKFLT
        SIGSTKFLT,
#endif
#ifdef SIGPWR
        SIGPWR,
#endif
#ifdef SIGEMT
        SIGEMT,
#endif
#ifdef SIGLOST
        SIGLOST,
#endif
    };
    int count = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && count < capacity; i++) {
        bool seen = false;  // SIGPOLL/SIGIO and friends may share numbers
        for (int j = 0; j < count; j++) seen = seen || out[j] == fixed[i];
        if (!seen) out[count++] = fixed[i];
    }
#if defined(SIGRTMIN) && defined(SIGRTMAX)
    // Real-time signals terminate by default. SIGRTMIN already skips those the C
    // library keeps for itself.
    for (int signo = SIGRTMIN; signo <= SIGRTMAX && count < capacity; signo++) out[count++] = signo;
#endif
    return count;
}

// MARK: - Setting up

/// Whether `fd` is the controlling terminal, the one /dev/tty names.
static bool is_controlling_terminal(int fd, int tty) {
    if (!isatty(fd)) return false;
    pid_t session = tcgetsid(tty);
    return session != -1 && tcgetsid(fd) == session;
}

static void capture_stderr(void) {
    int capture = -1;
#if defined(__linux__)
    capture = memfd_create("spanview-stderr", MFD_CLOEXEC);
#endif
    if (capture < 0) {
        char path[] = "/tmp/spanview-stderr-XXXXXX";
        capture = mkstemp(path);
        if (capture >= 0) {
            unlink(path);
            fcntl(capture, F_SETFD, FD_CLOEXEC);
        }
    }
    if (capture < 0) return;
    int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved < 0 || dup2(capture, STDERR_FILENO) < 0) {
        if (saved >= 0) close(saved);
        close(capture);
        return;
    }
    saved_stderr = saved;
    capture_fd = capture;
}

/// The Swift runtime's backtracer, when interactive, asks "Press space to interact, D to
/// debug, or any other key to quit" and waits up to 30 s. Its standard input will be a pipe
/// that already holds a newline, "any other key": it quits at once. (Not /dev/null: on end
/// of file it traps, as of Swift 6.3, converting getchar's -1 to a byte.)
static void prepare_answer(void) {
    int ends[2];
    if (pipe(ends) != 0) return;
    fcntl(ends[0], F_SETFD, FD_CLOEXEC);  // dup2 onto standard input clears it there
    fcntl(ends[1], F_SETFD, FD_CLOEXEC);
    ssize_t written;
    do { written = write(ends[1], "\n", 1); } while (written < 0 && errno == EINTR);
    close(ends[1]);
    if (written == 1) {
        answer_fd = ends[0];
    } else {
        close(ends[0]);
    }
}

static void ensure_signal_stack(void) {
    stack_t current;
    if (sigaltstack(NULL, &current) != 0) return;
    if (!(current.ss_flags & SS_DISABLE) && current.ss_size >= (size_t)STACK_SIZE) return;
    if (current.ss_flags & SS_ONSTACK) return;
    // None, or a small one (the Swift runtime's is SIGSTKSZ + 16 KiB, enough for its own
    // handler but with little to spare once ours runs first): use a roomier one.
    size_t size = (size_t)STACK_SIZE + (size_t)SIGSTKSZ;
    void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return;
    stack_t mine;
    memset(&mine, 0, sizeof mine);
    mine.ss_sp = memory;
    mine.ss_size = size;
    if (sigaltstack(&mine, NULL) != 0) {
        munmap(memory, size);
        return;
    }
    own_stack = memory;
    own_stack_size = size;
    previous_stack = current;
}

static void remove_signal_stack(void) {
    if (own_stack == NULL) return;
    // The stack belongs to the thread that installed the guard; from any other, leave it.
    if (current_thread() != installing_thread) return;
    stack_t current;
    if (sigaltstack(NULL, &current) != 0 || current.ss_sp != own_stack || (current.ss_flags & SS_ONSTACK)) return;
    stack_t back = previous_stack;
    if (back.ss_flags & SS_DISABLE) {
        memset(&back, 0, sizeof back);
        back.ss_flags = SS_DISABLE;
    }
    if (sigaltstack(&back, NULL) == 0) munmap(own_stack, own_stack_size);
    own_stack = NULL;
    own_stack_size = 0;
}

int stv_guard_install(int tty, int flags) {
    if (installed) return EBUSY;
    int duplicate = fcntl(tty, F_DUPFD_CLOEXEC, 3);
    if (duplicate < 0) return errno;
    tty_fd = duplicate;
    viewer_tty_fd = tty;
    sink_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    have_saved_modes = tcgetattr(tty_fd, &saved_modes) == 0;
    armed_length = 0;
    restored = 0;
    restore_done = 0;
    handling_thread = 0;
    installing_thread = current_thread();

    if ((flags & STV_GUARD_CAPTURE_STDERR) && is_controlling_terminal(STDERR_FILENO, tty_fd)) capture_stderr();
    if ((flags & STV_GUARD_QUIET_BACKTRACER) && isatty(STDIN_FILENO)) prepare_answer();
    ensure_signal_stack();
    if (!atexit_registered) atexit_registered = atexit(restore_at_exit) == 0;

    struct sigaction ours;
    memset(&ours, 0, sizeof ours);
    ours.sa_sigaction = on_fatal_signal;
    ours.sa_flags = SA_SIGINFO | SA_ONSTACK;
    // Hold off other signals while restoring (including SIGTTOU, so tcsetattr works from
    // a background process group), but not the faults: one inside the handler must end
    // the process at once rather than wait.
    sigfillset(&ours.sa_mask);
    const int faults[] = {SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSYS};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) sigdelset(&ours.sa_mask, faults[i]);

    int signals[MAX_SIGNALS];
    int count = fatal_signals(signals, MAX_SIGNALS);
    handled_count = 0;
    for (int i = 0; i < count; i++) {
        int signo = signals[i];
        struct sigaction current;
        if (sigaction(signo, NULL, &current) != 0) continue;
        bool hasFunction = (current.sa_flags & SA_SIGINFO) ? current.sa_sigaction != NULL
            : (current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN);
        bool isDefault = !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_DFL;
        bool crash = is_crash_signal(signo);
        // Ignored: the process would not end, leave it. A handler for a signal that only
        // terminates: someone deals with it (a profiler's SIGPROF, say), leave it. A crash
        // handler (the Swift runtime's backtracer) is called after restoring.
        if (!(isDefault || (crash && hasFunction))) continue;
        Handled *entry = &handled[handled_count];
        entry->signo = signo;
        entry->crash = crash;
        if (sigaction(signo, &ours, &entry->previous) != 0) continue;
        handled_count++;
    }
    installed = true;
    return 0;
}

int stv_guard_arm(const char *bytes, size_t length) {
    if (!installed) return EINVAL;
    if (length > sizeof restore_bytes) return E2BIG;
    __atomic_store_n(&armed_length, 0, __ATOMIC_RELEASE);
    memcpy(restore_bytes, bytes, length);
    __atomic_store_n(&armed_length, length, __ATOMIC_RELEASE);
    return 0;
}

void stv_guard_restore(void) {
    if (installed) restore_terminal();
}

void stv_guard_uninstall(void) {
    if (!installed) return;
    if (__atomic_exchange_n(&restored, 1, __ATOMIC_ACQ_REL) == 0) {
        put_back_stderr();
        __atomic_store_n(&restore_done, 1, __ATOMIC_RELEASE);
    }
    for (int i = 0; i < handled_count; i++) sigaction(handled[i].signo, &handled[i].previous, NULL);
    handled_count = 0;
    remove_signal_stack();
    if (answer_fd >= 0) close(answer_fd);
    answer_fd = -1;
    close(tty_fd);
    tty_fd = -1;
    if (sink_fd >= 0) close(sink_fd);
    sink_fd = -1;
    viewer_tty_fd = -1;
    have_saved_modes = false;
    armed_length = 0;
    installed = false;
}

int stv_guard_is_installed(void) { return installed ? 1 : 0; }

void stv_guard_defer_termination(int fd) {
    __atomic_store_n(&deferred_fd, fd, __ATOMIC_RELEASE);
}

int stv_guard_handled_signal_count(void) { return handled_count; }
