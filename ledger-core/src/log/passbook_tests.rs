//! A resident's passbook page (存折) for a period: the balance brought
//! forward, each entry with the balance after it, the balance carried
//! forward, adding up to what the ledger says the resident has.

use crate::model::Points;

/// A passbook page's balances add up, period after period, to every
/// resident's balance less any debt, across claims, deductions, debts, reversals and
/// late earns their cap cut short.
#[test]
fn passbook_pages_carry_forward_to_every_residents_balance() {
    let config = crate::demo::DemoConfig {
        residents: 30,
        entries: 3_000,
        seed: 4,
        start_ts_ms: super::tests::T0,
    };
    let demo = super::demo::generate_log(&config, "jifen.example/passbook", |_| {}).expect("demo");
    let ledger = demo.log.ledger();
    // Ten years of months, from long before the demo to long after it.
    let months = crate::notice::Period::parse("2030-12")
        .expect("period")
        .months_to_end(120);
    let mut pages = 0;
    for resident in ledger.state().residents() {
        let mut carried = Points::ZERO;
        for period in &months {
            let page = ledger
                .passbook(resident.code.as_str(), *period)
                .expect("page");
            assert_eq!(
                page.opening,
                carried,
                "{} {}",
                resident.code,
                period.label()
            );
            let last = page.lines.last().map_or(page.opening, |l| l.balance);
            assert_eq!(page.closing, last);
            carried = page.closing;
            pages += usize::from(!page.lines.is_empty());
        }
        // Below zero is what the resident owes.
        let net = resident.balance.plus(resident.debt.negated());
        assert_eq!(carried, net, "{}", resident.code);
    }
    assert!(pages > 30, "{pages} pages with entries");
    assert!(ledger.passbook("NOBODY", months[0]).is_none());
}
