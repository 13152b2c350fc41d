//! The [`Scope`] the type checker sees: which names and rosters are visible from a level.

use crate::expr::Scope;
use crate::value::Type;

use super::compiled::{Compiled, LevelIx, Name};

/// Names visible from the rows of one level.
pub(crate) struct LevelScope<'a> {
    pub c: &'a Compiled,
    pub level: LevelIx,
    /// Type of `.` (only in a constraint).
    pub current: Option<Type>,
}

/// The anchor level of an aggregate over a roster owned by `owner`, used from `level`:
/// the owner when it is an ancestor of (or is) `level`, `level` when the roster lies
/// below it; `None` when the roster is in another branch.
pub(crate) fn anchor_of(c: &Compiled, owner: LevelIx, level: LevelIx) -> Option<LevelIx> {
    if c.is_ancestor_or_self(owner, level) {
        Some(owner)
    } else if c.is_ancestor_or_self(level, owner) {
        Some(level)
    } else {
        None
    }
}

impl Scope for LevelScope<'_> {
    fn name_type(&self, name: &str) -> Option<Type> {
        match self.c.names.get(name)? {
            Name::Item(ix) => {
                let item = self.c.items.get(*ix)?;
                self.c
                    .is_ancestor_or_self(item.level, self.level)
                    .then_some(item.ty)
            }
            Name::Roster(_) => None,
        }
    }

    fn roster_row_scope(&self, roster: &str) -> Result<Box<dyn Scope + '_>, String> {
        let Some(Name::Roster(r)) = self.c.names.get(roster) else {
            return Err(format!("'{roster}' is not a roster"));
        };
        let Some(rc) = self.c.rosters.get(*r) else {
            return Err(format!("'{roster}' is not a roster"));
        };
        let here = self.c.levels.get(self.level).map_or("", |l| l.id.as_str());
        match anchor_of(self.c, rc.owner, self.level) {
            Some(_) => Ok(Box::new(LevelScope {
                c: self.c,
                level: rc.level,
                current: None,
            })),
            None => Err(format!(
                "roster '{roster}' is not reachable from level '{here}': it is neither \
                 under this row nor under one of its ancestors"
            )),
        }
    }

    fn current_type(&self) -> Option<Type> {
        self.current
    }

    fn advise(&self, name: &str) -> Option<String> {
        let c = self.c;
        let level_id = |l: LevelIx| c.levels.get(l).map_or("?", |l| l.id.as_str());
        if let Some(Name::Item(ix)) = c.names.get(name) {
            let it = c.items.get(*ix)?;
            let (_, roster) = c.levels.get(it.level)?.parent?;
            let roster = c.rosters.get(roster).map_or("?", |r| r.id.as_str());
            let there = level_id(it.level);
            return Some(if c.is_ancestor_or_self(self.level, it.level) {
                format!(
                    "`{name}` is asked in each {there} row of roster `{roster}`, below this \
                     {} row: reach it through an aggregate, e.g. `count({roster}, {name} …)`, \
                     `max({roster}, {name})` or `at({roster}, 1, {name})`",
                    level_id(self.level)
                )
            } else {
                format!(
                    "`{name}` is asked in {there} rows (roster `{roster}`), which are neither \
                     this {} row, its ancestors nor below it",
                    level_id(self.level)
                )
            });
        }
        // A likely typo: the closest name visible from here.
        let visible = c.names.iter().filter(|(_, n)| match n {
            Name::Item(ix) => c
                .items
                .get(*ix)
                .is_some_and(|it| c.is_ancestor_or_self(it.level, self.level)),
            Name::Roster(_) => false,
        });
        visible
            .map(|(other, _)| (crate::expr::functions::edit_distance(name, other), other))
            .filter(|(d, other)| *d <= 2 && *d < other.len())
            .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
            .map(|(_, other)| format!("did you mean `{other}`?"))
    }

    fn in_roster_row(&self) -> bool {
        self.c
            .levels
            .get(self.level)
            .is_some_and(|l| l.parent.is_some())
    }
}
