//! Resolving `fill_from`: the item whose value pre-fills a question must exist, live in the
//! question's own level (the same row) and hold the same type of value.

use super::build::Builder;
use super::compiled::Name;

impl Builder {
    /// Resolves every question's `fill_from`, once every name is known.
    pub fn resolve_fills(&mut self) {
        for (item, name, loc) in std::mem::take(&mut self.pending_fills) {
            let Some((question_id, level, ty)) = self
                .c
                .items
                .get(item)
                .map(|it| (it.id.clone(), it.level, it.ty))
            else {
                continue;
            };
            let source = match self.c.names.get(&name) {
                Some(Name::Item(ix)) if *ix != item => *ix,
                _ => {
                    self.problem(
                        Some(&question_id),
                        &loc,
                        None,
                        format!("'{question_id}' is filled from unknown item '{name}'"),
                    );
                    continue;
                }
            };
            let Some((source_level, source_ty)) =
                self.c.items.get(source).map(|it| (it.level, it.ty))
            else {
                continue;
            };
            if source_level != level {
                self.problem(
                    Some(&question_id),
                    &loc,
                    None,
                    format!("'{question_id}' can only be filled from an item of its own level, not '{name}'"),
                );
            } else if source_ty != ty {
                self.problem(
                    Some(&question_id),
                    &loc,
                    None,
                    format!(
                        "'{question_id}' is of type {} and cannot be filled from '{name}', of type {}",
                        ty.name(),
                        source_ty.name()
                    ),
                );
            } else if let Some(it) = self.c.items.get_mut(item) {
                it.fill_from = Some(source);
            }
        }
    }
}
