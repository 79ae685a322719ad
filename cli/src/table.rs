//! Plain text tables that line up with Chinese text (two columns wide).

use unicode_width::UnicodeWidthStr;

/// Renders rows under a header, columns separated by two spaces. Columns
/// listed in `right` are right-aligned (numbers).
pub fn render(header: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (index, cell) in row.iter().enumerate().take(columns) {
            widths[index] = widths[index].max(cell.width());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (index, cell) in cells.enumerate().take(columns) {
            let pad = " ".repeat(widths[index].saturating_sub(cell.width()));
            if index > 0 {
                text.push_str("  ");
            }
            if right.contains(&index) {
                text.push_str(&pad);
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&pad);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied());
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&mut rule.iter().map(String::as_str));
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_wide_characters() {
        let text = super::render(
            &["名称", "n"],
            &[
                vec!["大米".into(), "5".into()],
                vec!["soap".into(), "12".into()],
            ],
            &[1],
        );
        assert_eq!(text, "名称   n\n----  --\n大米   5\nsoap  12\n");
    }
}
