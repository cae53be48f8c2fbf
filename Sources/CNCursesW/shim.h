#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H

// The thin C side of the terminal backend. Only TerminalBackend imports this module.
//
// Make the X/Open wide-character API (cchar_t, setcchar, wadd_wch, wget_wch, ...)
// visible. SwiftPM drops ncursesw.pc's -D_XOPEN_SOURCE=600 ("prohibited flag"), so
// define what curses.h needs here, before including it.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#if __has_include(<ncursesw/curses.h>)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

// Swift imports neither function-like macros (A_BOLD via NCURSES_BITS, getmaxyx,
// KEY_F, BUTTON1_PRESSED) nor C globals safely under Swift 6 (stdscr, COLORS). Wrap them.
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t cn_color_pair(int pair) { return (attr_t)COLOR_PAIR(pair); }
static inline attr_t cn_a_normal(void) { return A_NORMAL; }
static inline attr_t cn_a_bold(void) { return A_BOLD; }
static inline attr_t cn_a_dim(void) { return A_DIM; }
static inline attr_t cn_a_reverse(void) { return A_REVERSE; }
static inline attr_t cn_a_underline(void) { return A_UNDERLINE; }
static inline int cn_key_f(int n) { return KEY_F(n); }
static inline void cn_getmaxyx(WINDOW *win, int *rows, int *cols) {
    int y, x;
    getmaxyx(win, y, x);
    *rows = y;
    *cols = x;
}

// Mouse: the button masks are function-like macros.
static inline mmask_t cn_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t cn_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t cn_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t cn_button4_pressed(void) { return BUTTON4_PRESSED; }
#if NCURSES_MOUSE_VERSION > 1
static inline mmask_t cn_button5_pressed(void) { return BUTTON5_PRESSED; }
#else
static inline mmask_t cn_button5_pressed(void) { return 0; }
#endif
static inline mmask_t cn_report_mouse_position(void) { return REPORT_MOUSE_POSITION; }

/// Reads the pending mouse event. Returns OK or ERR.
static inline int cn_getmouse(int *x, int *y, mmask_t *bstate) {
    MEVENT event;
    if (getmouse(&event) != OK) return ERR;
    *x = event.x;
    *y = event.y;
    *bstate = event.bstate;
    return OK;
}

/// A terminfo string capability of the current terminal, or NULL when it has none.
/// tigetstr's (char *)-1 ("not a string capability") becomes NULL too.
static inline const char *cn_tigetstr(const char *name) {
    char *value = tigetstr(name);
    return value == (char *)-1 ? NULL : value;
}

/// A capability with one numeric parameter filled in (tparm is variadic, which Swift
/// cannot call); NULL when the terminal lacks it.
static inline const char *cn_tparm1(const char *name, long p1) {
    const char *value = cn_tigetstr(name);
    return value == NULL ? NULL : tparm(value, p1, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
}

/// Terminal width of one code point by the C library (locale dependent); -1 if unprintable.
static inline int cn_wcwidth(wchar_t ch) { return wcwidth(ch); }

// One terminal cell: a base code point plus an optional combining mark.
// Building cchar_t in C keeps Swift away from the wchar_t[CCHARW_MAX] tuple.
static inline int cn_put_cell(WINDOW *win, int y, int x, wchar_t base, wchar_t combining,
                              attr_t attrs, short pair) {
    wchar_t wch[3] = { base, combining, L'\0' };
    cchar_t cell;
    if (setcchar(&cell, wch, attrs, pair, NULL) == ERR) return ERR;
    return mvwadd_wch(win, y, x, &cell);
}

// One terminal cell from a whole grapheme cluster: a spacing code point followed by
// up to CCHARW_MAX - 1 non-spacing ones. Extra code points are dropped; if ncurses
// refuses the cluster (say, an emoji ZWJ sequence with several spacing characters),
// the base code point alone is drawn.
static inline int cn_put_cluster(WINDOW *win, int y, int x, const wchar_t *chars, int count,
                                 attr_t attrs, short pair) {
    if (count < 1) return ERR;
    wchar_t wch[CCHARW_MAX + 1];
    int n = count < CCHARW_MAX ? count : CCHARW_MAX;
    for (int i = 0; i < n; i++) wch[i] = chars[i];
    wch[n] = L'\0';
    cchar_t cell;
    if (setcchar(&cell, wch, attrs, pair, NULL) == ERR) {
        wch[1] = L'\0';
        if (setcchar(&cell, wch, attrs, pair, NULL) == ERR) return ERR;
    }
    return mvwadd_wch(win, y, x, &cell);
}

#endif /* CNCURSESW_SHIM_H */
