//! Coverage: the venues nearest to a point (an R*-tree, with the linear scan kept as the
//! reference), venues within a radius, and duplicate detection when files from several
//! producers are merged.
//!
//! Distances are great-circle distances on a sphere of radius [`EARTH_RADIUS_M`] (the mean
//! Earth radius, 6,371,008.8 m), computed by the haversine formula. The index stores each
//! venue as a point of the unit sphere in 3-D (x = cos φ cos λ, y = cos φ sin λ, z = sin φ):
//! the straight-line (chord) distance between two such points grows with the great-circle
//! distance, so the tree's Euclidean nearest neighbours are the great-circle nearest ones,
//! everywhere on the globe (the poles and the antimeridian included). Results are ranked by
//! the haversine distance, ties by the order the venues were given in, so [`VenueIndex::nearest`]
//! and [`VenueIndex::nearest_linear`] return the same list.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;

use super::geo::{PivotStatus, normalise_text, siret_status};

/// The mean Earth radius (IUGG), in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Relative and absolute slack on squared chord lengths, so that rounding never leaves out a
/// venue whose haversine distance ties or beats the last one kept (about 6 mm absolute).
const CHORD2_REL_SLACK: f64 = 1e-9;
const CHORD2_ABS_SLACK: f64 = 1e-18;

/// Great-circle distance in metres between two points given in degrees (haversine formula,
/// radius [`EARTH_RADIUS_M`]).
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

fn valid_position(lat: f64, lon: f64) -> bool {
    lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0
}

/// The point of the unit sphere of (lat, lon) in degrees.
fn embed(lat: f64, lon: f64) -> [f64; 3] {
    let (p, l) = (lat.to_radians(), lon.to_radians());
    [p.cos() * l.cos(), p.cos() * l.sin(), p.sin()]
}

/// The squared chord of a great-circle distance, with the rounding slack added.
fn chord2_bound(distance_m: f64) -> f64 {
    let angle = (distance_m / EARTH_RADIUS_M).clamp(0.0, std::f64::consts::PI);
    let chord = 2.0 * (angle / 2.0).sin();
    chord * chord * (1.0 + CHORD2_REL_SLACK) + CHORD2_ABS_SLACK
}

type Node = GeomWithData<[f64; 3], usize>;

fn build_tree(points: impl Iterator<Item = (usize, f64, f64)>) -> RTree<Node> {
    RTree::bulk_load(
        points
            .map(|(i, lat, lon)| GeomWithData::new(embed(lat, lon), i))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------
// Nearest venues
// ---------------------------------------------------------------------------------------

/// A venue to index: its id and WGS84 position in degrees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexedVenue {
    /// The venue's id.
    pub id: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// An R*-tree of venues for nearest-venue and radius queries.
#[derive(Debug, Clone)]
pub struct VenueIndex {
    venues: Vec<IndexedVenue>,
    tree: RTree<Node>,
    rejected: Vec<String>,
}

impl VenueIndex {
    /// Builds the index (bulk-loaded). Venues whose coordinates are not finite or out of
    /// range (|lat| > 90, |lon| > 180) are left out and listed by [`VenueIndex::rejected`].
    pub fn new(items: impl IntoIterator<Item = IndexedVenue>) -> VenueIndex {
        let (venues, rejected): (Vec<_>, Vec<_>) = items
            .into_iter()
            .partition(|v| valid_position(v.lat, v.lon));
        let tree = build_tree(venues.iter().enumerate().map(|(i, v)| (i, v.lat, v.lon)));
        VenueIndex {
            venues,
            tree,
            rejected: rejected.into_iter().map(|v| v.id).collect(),
        }
    }

    /// Number of venues indexed.
    pub fn len(&self) -> usize {
        self.venues.len()
    }

    /// Whether no venue is indexed.
    pub fn is_empty(&self) -> bool {
        self.venues.is_empty()
    }

    /// The venues indexed, in the order given.
    pub fn venues(&self) -> &[IndexedVenue] {
        &self.venues
    }

    /// The ids of the venues left out for invalid coordinates.
    pub fn rejected(&self) -> &[String] {
        &self.rejected
    }

    /// The `k` venues nearest to (lat, lon), nearest first, with their great-circle distance
    /// in metres; equal distances in the order the venues were given. Fewer when the index
    /// holds fewer; none when `k` is 0 or the point is not a valid position.
    pub fn nearest(&self, lat: f64, lon: f64, k: usize) -> Vec<(&str, f64)> {
        if k == 0 || !valid_position(lat, lon) {
            return Vec::new();
        }
        // Walk the tree in chord order; once k venues are in hand, keep taking those within
        // the k-th chord (plus slack for rounding), then rank all of them by haversine.
        let mut found: Vec<(f64, usize)> = Vec::with_capacity(k);
        let mut bound = f64::INFINITY;
        for (node, d2) in self
            .tree
            .nearest_neighbor_iter_with_distance_2(embed(lat, lon))
        {
            if d2 > bound {
                break;
            }
            found.push((self.distance(node.data, lat, lon), node.data));
            if found.len() == k {
                bound = d2 * (1.0 + CHORD2_REL_SLACK) + CHORD2_ABS_SLACK;
            }
        }
        self.ranked(found, k)
    }

    /// The reference linear scan: the same answer as [`VenueIndex::nearest`], by computing
    /// every distance.
    pub fn nearest_linear(&self, lat: f64, lon: f64, k: usize) -> Vec<(&str, f64)> {
        if k == 0 || !valid_position(lat, lon) {
            return Vec::new();
        }
        let all = (0..self.venues.len())
            .map(|i| (self.distance(i, lat, lon), i))
            .collect();
        self.ranked(all, k)
    }

    /// Every venue within `radius_m` metres (great-circle, edge included) of (lat, lon),
    /// nearest first, equal distances in the order given.
    pub fn within(&self, lat: f64, lon: f64, radius_m: f64) -> Vec<(&str, f64)> {
        if !valid_position(lat, lon) || radius_m.is_nan() || radius_m < 0.0 {
            return Vec::new();
        }
        let found: Vec<(f64, usize)> = self
            .tree
            .locate_within_distance(embed(lat, lon), chord2_bound(radius_m))
            .map(|node| (self.distance(node.data, lat, lon), node.data))
            .filter(|(d, _)| *d <= radius_m)
            .collect();
        let n = found.len();
        self.ranked(found, n)
    }

    fn distance(&self, i: usize, lat: f64, lon: f64) -> f64 {
        let v = &self.venues[i];
        haversine_m(lat, lon, v.lat, v.lon)
    }

    fn ranked(&self, mut found: Vec<(f64, usize)>, k: usize) -> Vec<(&str, f64)> {
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        found.truncate(k);
        found
            .into_iter()
            .map(|(d, i)| (self.venues[i].id.as_str(), d))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Duplicates
// ---------------------------------------------------------------------------------------

/// A venue offered for duplicate detection (from any producer's file).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateCandidate {
    /// The venue's id in its file.
    pub id: String,
    /// Which file or producer it comes from.
    pub source: String,
    /// The `pivot`, when given.
    pub siret: Option<String>,
    /// The address (`adresse`), normalised by the caller; it is also passed through
    /// [`normalise_text`] before comparison, so raw text works too.
    pub address: String,
    /// The venue's name (`nom`).
    pub name: String,
    /// Latitude, degrees, when given.
    pub lat: Option<f64>,
    /// Longitude, degrees, when given.
    pub lon: Option<f64>,
}

/// Why two venues look like the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The same SIRET (a valid one, or a RIDET: an establishment's identifier), at any
    /// distance. The placeholder, RNA numbers (one association runs many venues), SIRETs
    /// whose checksum fails and unrecognised values never match.
    SameSiret,
    /// The same normalised address, non-empty, within
    /// [`DuplicateThresholds::same_address_max_m`].
    SameAddressNearby,
    /// Similar names ([`name_similarity`] ≥ [`DuplicateThresholds::name_jaccard_min`], or
    /// equal normalised names) within [`DuplicateThresholds::similar_name_max_m`].
    SimilarNameNearby,
}

impl DuplicateReason {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateReason::SameSiret => "same_siret",
            DuplicateReason::SameAddressNearby => "same_address_nearby",
            DuplicateReason::SimilarNameNearby => "similar_name_nearby",
        }
    }
}

/// Two candidates that look like the same venue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicatePair {
    /// Index of the first candidate in the input (`a < b`).
    pub a: usize,
    /// Index of the second candidate.
    pub b: usize,
    /// Id of the first.
    pub a_id: String,
    /// Id of the second.
    pub b_id: String,
    /// Every rule that matched, in the order of [`DuplicateReason`].
    pub reasons: Vec<DuplicateReason>,
    /// Great-circle distance in metres, when both have valid coordinates.
    pub distance_m: Option<f64>,
    /// [`name_similarity`] of the two names.
    pub name_similarity: f64,
}

/// The thresholds of the duplicate rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DuplicateThresholds {
    /// Same address: at most this far apart, metres (default 100).
    pub same_address_max_m: f64,
    /// Similar names: at most this far apart, metres (default 300).
    pub similar_name_max_m: f64,
    /// Similar names: token Jaccard similarity at least this (default 0.8).
    pub name_jaccard_min: f64,
}

impl Default for DuplicateThresholds {
    fn default() -> Self {
        DuplicateThresholds {
            same_address_max_m: 100.0,
            similar_name_max_m: 300.0,
            name_jaccard_min: 0.8,
        }
    }
}

/// Words left out of name comparison: French articles, prepositions and conjunctions that
/// differ between producers (`Médiathèque de Cran-Gevrier` / `Médiathèque Cran-Gevrier`).
pub const NAME_STOP_WORDS: [&str; 13] = [
    "A", "AU", "AUX", "D", "DE", "DES", "DU", "EN", "ET", "L", "LA", "LE", "LES",
];

/// The words of a name as compared: [`normalise_text`], `ST`/`STE` read as `SAINT`/`SAINTE`,
/// [`NAME_STOP_WORDS`] left out.
pub fn name_tokens(name: &str) -> BTreeSet<String> {
    normalise_text(name)
        .split(' ')
        .filter(|w| !w.is_empty() && !NAME_STOP_WORDS.contains(w))
        .map(|w| match w {
            "ST" => "SAINT".to_owned(),
            "STE" => "SAINTE".to_owned(),
            other => other.to_owned(),
        })
        .collect()
}

/// Token Jaccard similarity of two names (|A ∩ B| / |A ∪ B| over [`name_tokens`]); 1 when
/// their [`normalise_text`] forms are equal and non-empty; 0 when either has no tokens.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let (na, nb) = (normalise_text(a), normalise_text(b));
    if !na.is_empty() && na == nb {
        return 1.0;
    }
    jaccard(&name_tokens(a), &name_tokens(b))
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count();
    inter as f64 / (a.len() + b.len() - inter) as f64
}

/// [`duplicates_with`] and the default thresholds (100 m, 300 m, 0.8).
pub fn duplicates(items: &[DuplicateCandidate]) -> Vec<DuplicatePair> {
    duplicates_with(items, &DuplicateThresholds::default())
}

/// Pairs of candidates that look like the same venue, by the rules of [`DuplicateReason`]:
/// same SIRET; same normalised address within `same_address_max_m`; similar names within
/// `similar_name_max_m`. The distance rules need valid coordinates on both sides. Pairs come
/// sorted by (a, b); candidates of the same source are compared too. Nearby pairs are found
/// with an R*-tree, so the cost grows with the number of close pairs, not n².
pub fn duplicates_with(
    items: &[DuplicateCandidate],
    thresholds: &DuplicateThresholds,
) -> Vec<DuplicatePair> {
    let position = |c: &DuplicateCandidate| match (c.lat, c.lon) {
        (Some(lat), Some(lon)) if valid_position(lat, lon) => Some((lat, lon)),
        _ => None,
    };
    let addresses: Vec<String> = items.iter().map(|c| normalise_text(&c.address)).collect();
    let names: Vec<String> = items.iter().map(|c| normalise_text(&c.name)).collect();
    let tokens: Vec<BTreeSet<String>> = items.iter().map(|c| name_tokens(&c.name)).collect();
    let similarity = |i: usize, j: usize| {
        if !names[i].is_empty() && names[i] == names[j] {
            1.0
        } else {
            jaccard(&tokens[i], &tokens[j])
        }
    };

    let mut pairs: BTreeMap<(usize, usize), BTreeSet<DuplicateReason>> = BTreeMap::new();

    let mut by_siret: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in items.iter().enumerate() {
        if let Some(s) = c.siret.as_deref()
            && matches!(siret_status(s), PivotStatus::Siret | PivotStatus::Ridet)
        {
            by_siret.entry(s).or_default().push(i);
        }
    }
    for group in by_siret.values() {
        for (x, &i) in group.iter().enumerate() {
            for &j in &group[x + 1..] {
                pairs
                    .entry((i.min(j), i.max(j)))
                    .or_default()
                    .insert(DuplicateReason::SameSiret);
            }
        }
    }

    let radius = thresholds
        .same_address_max_m
        .max(thresholds.similar_name_max_m);
    if radius.is_finite() && radius >= 0.0 {
        let located: Vec<(usize, f64, f64)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, c)| position(c).map(|(lat, lon)| (i, lat, lon)))
            .collect();
        let tree = build_tree(located.iter().copied());
        let bound = chord2_bound(radius);
        for &(i, lat, lon) in &located {
            for node in tree.locate_within_distance(embed(lat, lon), bound) {
                let j = node.data;
                if j <= i {
                    continue;
                }
                let Some((lat2, lon2)) = position(&items[j]) else {
                    continue;
                };
                let d = haversine_m(lat, lon, lat2, lon2);
                if d <= thresholds.same_address_max_m
                    && !addresses[i].is_empty()
                    && addresses[i] == addresses[j]
                {
                    pairs
                        .entry((i, j))
                        .or_default()
                        .insert(DuplicateReason::SameAddressNearby);
                }
                if d <= thresholds.similar_name_max_m
                    && similarity(i, j) >= thresholds.name_jaccard_min
                {
                    pairs
                        .entry((i, j))
                        .or_default()
                        .insert(DuplicateReason::SimilarNameNearby);
                }
            }
        }
    }

    pairs
        .into_iter()
        .map(|((a, b), reasons)| DuplicatePair {
            a,
            b,
            a_id: items[a].id.clone(),
            b_id: items[b].id.clone(),
            reasons: reasons.into_iter().collect(),
            distance_m: match (position(&items[a]), position(&items[b])) {
                (Some((la, oa)), Some((lb, ob))) => Some(haversine_m(la, oa, lb, ob)),
                _ => None,
            },
            name_similarity: similarity(a, b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venue(id: &str, lat: f64, lon: f64) -> IndexedVenue {
        IndexedVenue {
            id: id.into(),
            lat,
            lon,
        }
    }

    fn cand(
        id: &str,
        siret: Option<&str>,
        address: &str,
        name: &str,
        lat: f64,
        lon: f64,
    ) -> DuplicateCandidate {
        DuplicateCandidate {
            id: id.into(),
            source: "test".into(),
            siret: siret.map(Into::into),
            address: address.into(),
            name: name.into(),
            lat: Some(lat),
            lon: Some(lon),
        }
    }

    #[test]
    fn haversine_known_distances() {
        // Paris (Notre-Dame) to Lyon (Bellecour): about 392 km.
        let d = haversine_m(48.8530, 2.3499, 45.7578, 4.8320);
        assert!((d - 392_000.0).abs() < 2_000.0, "{d}");
        // One degree of latitude: R·π/180.
        let d = haversine_m(45.0, 6.0, 46.0, 6.0);
        assert!(
            (d - EARTH_RADIUS_M * std::f64::consts::PI / 180.0).abs() < 1e-6,
            "{d}"
        );
        assert_eq!(haversine_m(46.2, 6.7, 46.2, 6.7), 0.0);
    }

    #[test]
    fn nearest_on_real_venues() {
        // Three Hinaura venues and Cayenne.
        let index = VenueIndex::new([
            venue("abondance", 46.27947045, 6.720031881096503),
            venue("annecy", 45.8992, 6.1294),
            venue("lyon", 45.7578, 4.8320),
            venue("cayenne", 4.9372, -52.3260),
            venue("bad", 95.0, 0.0),
            venue("nan", f64::NAN, 0.0),
        ]);
        assert_eq!(index.len(), 4);
        assert_eq!(index.rejected(), ["bad", "nan"]);
        let near: Vec<&str> = index
            .nearest(45.92, 6.2, 2)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(near, ["annecy", "abondance"]);
        assert_eq!(index.nearest(5.0, -52.0, 1)[0].0, "cayenne");
        assert_eq!(index.nearest(45.92, 6.2, 10).len(), 4);
        assert!(index.nearest(45.92, 6.2, 0).is_empty());
        assert!(index.nearest(f64::NAN, 6.2, 3).is_empty());
        assert_eq!(
            index.nearest(45.92, 6.2, 4),
            index.nearest_linear(45.92, 6.2, 4)
        );
        let within: Vec<&str> = index
            .within(45.92, 6.2, 60_000.0)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(within, ["annecy", "abondance"]);
        assert!(index.within(45.92, 6.2, 1.0).is_empty());
    }

    #[test]
    fn ties_follow_input_order() {
        let index = VenueIndex::new((0..5).map(|i| venue(&format!("v{i}"), 45.0, 6.0)));
        let ids: Vec<&str> = index
            .nearest(45.1, 6.0, 3)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids, ["v0", "v1", "v2"]);
        assert_eq!(
            index.nearest(45.1, 6.0, 3),
            index.nearest_linear(45.1, 6.0, 3)
        );
    }

    #[test]
    fn duplicate_rules() {
        let items = [
            // Same SIRET (La Poste establishment), far apart: a pair.
            cand(
                "a",
                Some("35600000040773"),
                "1 rue X",
                "Bureau de poste",
                45.0,
                6.0,
            ),
            cand(
                "b",
                Some("35600000040773"),
                "2 rue Y",
                "La Poste",
                46.0,
                5.0,
            ),
            // Placeholder SIRET and same name nearby but 400 m apart: no pair.
            cand("c", Some("00000000000000"), "", "Médiathèque", 45.5, 6.5),
            cand("d", Some("00000000000000"), "", "Mediatheque", 45.5036, 6.5),
            // Same address, 50 m apart, different names: a pair.
            cand(
                "e",
                None,
                "PLACE DU CHAMP DE FOIRE",
                "MSAP d'Abondance",
                46.27947,
                6.72003,
            ),
            cand(
                "f",
                None,
                "Place du Champ-de-Foire",
                "France Services Abondance",
                46.27992,
                6.72003,
            ),
            // Similar names (stop words and ST), 200 m apart: a pair.
            cand(
                "g",
                None,
                "1 av. A",
                "Médiathèque de St-Jorioz",
                45.83,
                6.16,
            ),
            cand(
                "h",
                None,
                "3 av. A",
                "Mediatheque Saint Jorioz",
                45.8318,
                6.16,
            ),
            // Same address 150 m apart: no pair.
            cand("i", None, "10 rue Z", "Un", 44.0, 4.0),
            cand("j", None, "10 rue Z", "Deux", 44.00135, 4.0),
        ];
        let pairs = duplicates(&items);
        let got: Vec<(&str, &str, Vec<&str>)> = pairs
            .iter()
            .map(|p| {
                (
                    p.a_id.as_str(),
                    p.b_id.as_str(),
                    p.reasons.iter().map(|r| r.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", "b", vec!["same_siret"]),
                ("e", "f", vec!["same_address_nearby"]),
                ("g", "h", vec!["similar_name_nearby"]),
            ]
        );
        assert!(pairs[0].distance_m.unwrap() > 100_000.0);
        assert!((pairs[1].distance_m.unwrap() - 50.0).abs() < 1.0);
        assert_eq!(pairs[2].name_similarity, 1.0);
        // Looser thresholds bring in c/d (400 m) and i/j (150 m).
        let loose = DuplicateThresholds {
            same_address_max_m: 200.0,
            similar_name_max_m: 500.0,
            name_jaccard_min: 0.8,
        };
        let ids: Vec<(String, String)> = duplicates_with(&items, &loose)
            .into_iter()
            .map(|p| (p.a_id, p.b_id))
            .collect();
        let expected = [("a", "b"), ("c", "d"), ("e", "f"), ("g", "h"), ("i", "j")];
        assert_eq!(ids, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
    }

    #[test]
    fn name_similarity_rules() {
        assert_eq!(
            name_similarity("Espace France Services", "ESPACE FRANCE-SERVICES"),
            1.0
        );
        // 4 shared of 5 distinct words: 0.8.
        assert_eq!(
            name_similarity(
                "Maison France Services Cluses Centre",
                "Maison France Services Cluses"
            ),
            0.8
        );
        assert!(name_similarity("Médiathèque d'Annecy", "Mairie d'Annecy") < 0.8);
        assert_eq!(name_similarity("", ""), 0.0);
        assert_eq!(name_similarity("La", "LA"), 1.0);
    }
}
