//! `jifen repair`: cuts off a last line left half-written by a killed
//! append; entries reported as written are never touched.

use std::path::Path;

use ledger_core::Lang;

use jifen::error::CliError;
use jifen::store::Writer;

pub(crate) fn repair(file: &Path, lang: Lang) -> Result<(), CliError> {
    let mut writer = Writer::open(file)?;
    let (ledger, cut) = writer.load(true)?;
    if cut {
        jifen::outln!(
            "{} head {}",
            lang.pick(
                "已去掉不完整的最后一行；",
                "cut off the incomplete last line;"
            ),
            ledger.head()
        );
    } else {
        jifen::outln!(
            "{} head {}",
            lang.pick("无需修复；", "nothing to repair;"),
            ledger.head()
        );
    }
    Ok(())
}
