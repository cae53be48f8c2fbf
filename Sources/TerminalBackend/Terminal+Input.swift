import TerminalInput
import CNCursesW

extension Terminal {
    /// The next key, mouse event or resize, or nil when nothing is pending. Never blocks
    /// (`nodelay`), except that a lone ESC is held for 25 ms to tell it from the start
    /// of an escape sequence. Poll `ttyFileDescriptor` to wait for input; a resize also
    /// interrupts `poll` (EINTR), after which this returns `.resize`.
    public func readKey() -> Key? {
        guard let window else { return nil }
        while true {
            var wch: wint_t = 0
            switch wget_wch(window, &wch) {
            case OK:
                return Key(code: UInt32(wch))
            case KEY_CODE_YES:
                if let key = keypadKey(Int32(bitPattern: wch)) { return key }
            // A key we have no name for (Insert, shifted arrows, ...): skip it.
            default:
                return nil  // ERR: nothing pending
            }
        }
    }

    /// The key for a KEY_* code from ncurses's keypad translation; nil to ignore it.
    private func keypadKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        // Some terminfo entries (vt220, linux) call ESC[1~ and ESC[4~ Find and Select.
        case KEY_HOME, KEY_FIND, KEY_A1: return .home
        case KEY_END, KEY_SELECT, KEY_LL, KEY_C1: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_RESIZE:
            // ncurses has already resized its windows (its SIGWINCH handler); what was on
            // the screen is no longer known.
            needsFullRedraw = true
            let (width, height) = size
            return .resize(width: width, height: height)
        case KEY_MOUSE:
            return mouseKey()
        case (cn_key_f(1))...(cn_key_f(63)):
            return .function(Int(code - cn_key_f(0)))
        default:
            return nil
        }
    }

    private func mouseKey() -> Key? {
        var x: Int32 = 0, y: Int32 = 0
        var buttons: mmask_t = 0
        guard cn_getmouse(&x, &y, &buttons) == OK else { return nil }
        let kind: MouseEvent.Kind
        if buttons & cn_button4_pressed() != 0 {
            kind = .wheelUp
        } else if buttons & cn_button5_pressed() != 0 {
            kind = .wheelDown
        } else if buttons & (cn_button1_pressed() | cn_button1_clicked()) != 0 {
            // ncurses turns a press and release that arrive in one read into a click,
            // even with mouseinterval(0); the press is what a click means to us.
            kind = .press
        } else if buttons & cn_button1_released() != 0 {
            kind = .release
        } else {
            return nil
        }
        return .mouse(MouseEvent(kind: kind, x: Int(x), y: Int(y)))
    }
}

// MARK: - Key sequences terminfo may not know

extension Terminal {
    /// Home and End have several spellings, and terminfo names only the one of the
    /// terminal it describes: with TERM=xterm-256color inside tmux or screen (which send
    /// ESC[1~ and ESC[4~), Home would otherwise arrive as Esc, "[", "1", "~". Teach
    /// ncurses all the common ones: xterm (ESC[H, ESC OH), vt220/tmux (ESC[1~), rxvt (ESC[7~).
    static func defineHomeEndSequences() {
        let sequences: [(String, Int32)] = [
            ("\u{1B}[H", KEY_HOME), ("\u{1B}OH", KEY_HOME), ("\u{1B}[1~", KEY_HOME), ("\u{1B}[7~", KEY_HOME),
            ("\u{1B}[F", KEY_END), ("\u{1B}OF", KEY_END), ("\u{1B}[4~", KEY_END), ("\u{1B}[8~", KEY_END),
        ]
        for (sequence, code) in sequences where key_defined(sequence) == 0 {
            _ = define_key(sequence, code)
        }
    }
}
