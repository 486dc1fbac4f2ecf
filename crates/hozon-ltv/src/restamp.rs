//! `--restamp-after HOURS`: a B-LTA run (a nightly re-time-stamping job)
//! leaves alone a signature whose newest archive time stamp is younger than
//! HOURS, so a rerun the same night does not stamp everything again. At
//! B-T or B-LT, or with 0 hours, every signature is taken.

use hozon_cms::UnixTime;

use crate::Target;

/// The rule of one run: the time after which an archive time stamp is fresh.
#[derive(Clone, Copy, Debug)]
pub struct RestampRule {
    since: Option<UnixTime>,
    hours: u64,
}

impl RestampRule {
    /// The rule for a run to `target` started now.
    pub fn new(target: Target, hours: u64) -> RestampRule {
        RestampRule::at(target, hours, UnixTime::now())
    }

    /// The rule for a run to `target` started at `now`.
    pub fn at(target: Target, hours: u64, now: UnixTime) -> RestampRule {
        let since = (target == Target::Lta && hours > 0).then(|| {
            let seconds = i64::try_from(hours)
                .unwrap_or(i64::MAX)
                .saturating_mul(3600);
            UnixTime(now.0.saturating_sub(seconds))
        });
        RestampRule { since, hours }
    }

    /// Whether an archive time stamp made at `newest` is fresh (the
    /// signature is left as it is).
    pub fn fresh(&self, newest: Option<UnixTime>) -> bool {
        matches!((self.since, newest), (Some(since), Some(t)) if t >= since)
    }

    /// Why a signature at `level` whose newest archive time stamp is
    /// `newest` is skipped, or `None` when it is to be stamped.
    pub fn skip_reason(&self, level: &str, newest: Option<UnixTime>) -> Option<String> {
        let stamped = newest.filter(|t| self.fresh(Some(*t)))?;
        Some(format!(
            "already {level}: archive time stamp of {} is younger than --restamp-after {} h",
            stamped.rfc3339(),
            self.hours
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixTime = UnixTime(1_800_000_000);

    #[test]
    fn the_rule_applies_only_at_b_lta_and_with_hours() {
        assert!(!RestampRule::at(Target::T, 24, NOW).fresh(Some(NOW)));
        assert!(!RestampRule::at(Target::Lt, 24, NOW).fresh(Some(NOW)));
        assert!(!RestampRule::at(Target::Lta, 0, NOW).fresh(Some(NOW)));
        assert!(RestampRule::at(Target::Lta, 24, NOW).fresh(Some(NOW)));
    }

    #[test]
    fn a_young_stamp_is_skipped_and_an_old_one_or_none_is_not() {
        let rule = RestampRule::at(Target::Lta, 24, NOW);
        assert!(rule
            .skip_reason("B-LTA", Some(UnixTime(NOW.0 - 25 * 3600)))
            .is_none());
        assert!(rule.skip_reason("B-LTA", None).is_none());
        let edge = UnixTime(NOW.0 - 24 * 3600);
        assert!(rule.fresh(Some(edge)), "exactly HOURS old is still fresh");
        let why = rule
            .skip_reason("B-LTA", Some(UnixTime(NOW.0 - 3600)))
            .expect("a stamp an hour old is fresh");
        assert!(
            why.starts_with("already B-LTA: archive time stamp of ")
                && why.ends_with("is younger than --restamp-after 24 h"),
            "{why}"
        );
    }

    #[test]
    fn huge_hours_do_not_overflow() {
        let rule = RestampRule::at(Target::Lta, u64::MAX, NOW);
        assert!(rule.fresh(Some(UnixTime(i64::MIN / 2))));
    }
}
