//! Suspected duplicates and suspicious interviews among household facts. Both functions
//! accept any superset of the cases concerned (a database may pre-select candidates) and
//! give the same answer as on every case.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use super::facts::Population;
use super::geo::{distance_m, metres_outside_district};
use super::types::{
    CoverageRules, DuplicateGroup, DuplicateKind, FrameDistrict, HouseholdFacts, SuspicionKind,
    SuspiciousInterview, status,
};

type DwellingKey<'a> = (&'a str, u32, u32);

fn dwelling(f: &HouseholdFacts) -> DwellingKey<'_> {
    (&f.district_id, f.building_number, f.dwelling_number)
}

/// Whether a case's head and size take part in name-based duplicate detection.
pub fn compares_by_head(f: &HouseholdFacts) -> bool {
    f.head_key.is_some()
        && f.persons > 0
        && matches!(f.status.as_str(), status::COMPLETE | status::IN_PROGRESS)
}

/// Groups of cases that may be one household counted more than once (see
/// [`DuplicateKind`]), sorted by kind then first case id.
pub fn find_duplicates(facts: &[HouseholdFacts], rules: &CoverageRules) -> Vec<DuplicateGroup> {
    let mut groups = Vec::new();

    // Same district, building, dwelling and household number.
    let mut by_number: HashMap<(DwellingKey<'_>, u32), Vec<usize>> = HashMap::new();
    for (i, f) in facts.iter().enumerate() {
        if let Some(h) = f.household_number {
            by_number.entry((dwelling(f), h)).or_default().push(i);
        }
    }
    let mut same_number: HashMap<usize, usize> = HashMap::new();
    for members in by_number.values().filter(|m| m.len() > 1) {
        for &m in members {
            same_number.insert(m, members[0]);
        }
        groups.push(group(
            DuplicateKind::SameHouseholdNumber,
            facts,
            members.iter().copied(),
        ));
    }

    // Same head and size: in one dwelling, or close by.
    let mut blocks: HashMap<(&str, u32), Vec<usize>> = HashMap::new();
    for (i, f) in facts
        .iter()
        .enumerate()
        .filter(|(_, f)| compares_by_head(f))
    {
        if let Some(key) = f.head_key.as_deref() {
            blocks.entry((key, f.persons)).or_default().push(i);
        }
    }
    let mut dwelling_sets = UnionFind::new(facts.len());
    let mut nearby_sets = UnionFind::new(facts.len());
    for members in blocks.values().filter(|m| m.len() > 1) {
        for (n, &a) in members.iter().enumerate() {
            for &b in &members[n + 1..] {
                let (fa, fb) = (&facts[a], &facts[b]);
                let already_same_number = same_number
                    .get(&a)
                    .is_some_and(|g| same_number.get(&b) == Some(g));
                if already_same_number || fa.case_id == fb.case_id {
                    continue;
                }
                if dwelling(fa) == dwelling(fb) {
                    dwelling_sets.join(a, b);
                } else if let (Some(ga), Some(gb)) = (&fa.gps, &fb.gps)
                    && distance_m(ga, gb) <= rules.duplicate_radius_m
                {
                    nearby_sets.join(a, b);
                }
            }
        }
    }
    for (kind, sets) in [
        (DuplicateKind::SameDwellingSameHead, dwelling_sets),
        (DuplicateKind::SameHeadNearby, nearby_sets),
    ] {
        for members in sets.groups() {
            groups.push(group(kind, facts, members.into_iter()));
        }
    }
    groups.sort_by(|a, b| (a.kind, &a.case_ids).cmp(&(b.kind, &b.case_ids)));
    groups
}

fn group(
    kind: DuplicateKind,
    facts: &[HouseholdFacts],
    members: impl Iterator<Item = usize>,
) -> DuplicateGroup {
    let mut case_ids: Vec<Uuid> = Vec::new();
    let mut districts: BTreeSet<String> = BTreeSet::new();
    for m in members {
        if let Some(f) = facts.get(m) {
            case_ids.push(f.case_id);
            districts.insert(f.district_id.clone());
        }
    }
    case_ids.sort_unstable();
    case_ids.dedup();
    DuplicateGroup {
        kind,
        case_ids,
        district_ids: districts.into_iter().collect(),
    }
}

/// Whether a complete interview is too short for its household's size (a database
/// pre-selects with the same condition). Collective living quarters are not timed: their
/// residents are copied from the establishment's register, not interviewed one by one.
pub fn too_short(f: &HouseholdFacts, rules: &CoverageRules) -> bool {
    f.population == Population::Household
        && f.status == status::COMPLETE
        && f.active_seconds < rules.min_seconds(f.persons)
}

/// Interviews too short for their size, or recorded outside their district, sorted by kind
/// then case id.
pub fn find_suspicious(
    facts: &[HouseholdFacts],
    districts: &BTreeMap<&str, &FrameDistrict>,
    rules: &CoverageRules,
) -> Vec<SuspiciousInterview> {
    let mut out = Vec::new();
    for f in facts {
        if too_short(f, rules) {
            out.push(SuspiciousInterview {
                kind: SuspicionKind::TooShort,
                case_id: f.case_id,
                district_id: f.district_id.clone(),
                enumerator_id: f.enumerator_id.clone(),
                measure: f.active_seconds as f64,
            });
        }
        let district = districts.get(f.district_id.as_str());
        let outside = f
            .gps
            .as_ref()
            .zip(district)
            .and_then(|(gps, d)| metres_outside_district(gps, d));
        if let Some(outside) = outside
            && outside > rules.outside_margin_m
        {
            out.push(SuspiciousInterview {
                kind: SuspicionKind::OutsideDistrict,
                case_id: f.case_id,
                district_id: f.district_id.clone(),
                enumerator_id: f.enumerator_id.clone(),
                measure: outside.round(),
            });
        }
    }
    out.sort_by_key(|s| (s.kind, s.case_id));
    out
}

/// Disjoint sets over `0..n`.
struct UnionFind {
    parent: Vec<usize>,
    joined: BTreeSet<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
            joined: BTreeSet::new(),
        }
    }

    fn root(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
        self.joined.insert(a);
        self.joined.insert(b);
    }

    /// Sets of more than one member.
    fn groups(mut self) -> Vec<Vec<usize>> {
        let mut sets: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let members: Vec<usize> = self.joined.iter().copied().collect();
        for m in members {
            let r = self.root(m);
            sets.entry(r).or_default().push(m);
        }
        sets.into_values().filter(|s| s.len() > 1).collect()
    }
}
