//! Standard output for the commands: a reader that stops early (`| head`)
//! ends the command quietly, as other Unix tools end, instead of the panic
//! that `println!` gives on a closed pipe.

use std::io::Write;

/// Writes `text` to standard output. On a closed pipe the command ends
/// here, successfully; on any other failure, with the reason and code 2.
pub fn write(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        let _ = writeln!(std::io::stderr(), "jifen: {error}");
        std::process::exit(2);
    }
}

/// `print!` through [`write`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(&format!($($arg)*))
    };
}

/// `println!` through [`write`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::output::write("\n")
    };
    ($($arg:tt)*) => {
        $crate::output::write(&format!("{}\n", format_args!($($arg)*)))
    };
}
