//! The printed mandate (attestation): the French terms of the current template
//! (`20260323_mandat.html` in the real service), as plain text and as a simple HTML page
//! to print. The wording summarises the template's terms as the research note gives them.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;

use super::rules::{Mandate, Organisation, Usager};

/// Everything the printed mandate shows.
#[derive(Debug, Clone)]
pub struct Attestation<'a> {
    /// The mandate.
    pub mandate: &'a Mandate,
    /// The organisation mandated.
    pub organisation: &'a Organisation,
    /// The usager.
    pub usager: &'a Usager,
    /// The aidant who prepared it (name as printed).
    pub aidant_name: &'a str,
    /// Where it was signed ("Fait à …").
    pub place: &'a str,
}

fn date_fr(at: DateTime<Utc>) -> String {
    at.with_timezone(&Paris).format("%d/%m/%Y").to_string()
}

impl Attestation<'_> {
    /// The paragraphs of the terms, in order.
    pub fn paragraphs(&self) -> Vec<String> {
        let m = self.mandate;
        let usager = format!("{} {}", self.usager.given_name, self.usager.family_name);
        let demarches: Vec<String> = m
            .demarches()
            .iter()
            .map(|d| format!("« {} » ({})", d.title(), d.description()))
            .collect();
        vec![
            "Mandat Aidants Connect".to_owned(),
            format!(
                "Je m'appelle {usager} et je suis le mandant. J'autorise {org}, en tant que mandataire, à réaliser pour mon compte les démarches administratives suivantes : {list}.",
                org = self.organisation.name,
                list = demarches.join(", ")
            ),
            format!(
                "Ce mandat est donné {duree}, à compter du {start}, jusqu'au {end} (heure de Paris).",
                duree = m.duration.label(),
                start = date_fr(m.created_at),
                end = m.expires_at.with_timezone(&Paris).format("%d/%m/%Y à %H:%M")
            ),
            "Ce mandat est régi par les articles 1984 et suivants du Code civil. Je peux y mettre fin à tout moment.".to_owned(),
            "Je déclare ne faire l'objet d'aucune mesure de protection juridique (sauvegarde de justice, tutelle, curatelle).".to_owned(),
            "Les aidants de la structure mandataire s'engagent à n'agir que pour les démarches listées, à ne collecter que les données nécessaires, à me demander mon accord avant toute autre démarche et à supprimer mes données dès qu'elles ne sont plus utiles.".to_owned(),
            "Ce mandat prend fin avant son terme si les démarches sont réalisées, si j'y mets fin ou si un aidant y met fin, ou si je donne un mandat à une autre personne pour les mêmes démarches.".to_owned(),
            format!("Fait à {}, le {}.", self.place, date_fr(m.created_at)),
            format!("Le mandataire : {} pour {}          Le mandant : {usager}", self.aidant_name, self.organisation.name),
            format!("Modèle {} · mandat {}", m.template, m.id),
        ]
    }

    /// The printed mandate as plain text (paragraphs separated by blank lines).
    pub fn to_text(&self) -> String {
        let mut s = self.paragraphs().join("\n\n");
        s.push('\n');
        s
    }

    /// The printed mandate as a self-contained HTML page (escaped; prints on one A4 page).
    pub fn to_html(&self) -> String {
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let p = self.paragraphs();
        let mut body = format!("<h1>{}</h1>\n", esc(&p[0]));
        for para in &p[1..p.len() - 2] {
            body.push_str(&format!("<p>{}</p>\n", esc(para)));
        }
        body.push_str(&format!(
            "<table class=\"signatures\"><tr><td>Le mandataire<br>{} pour {}</td><td>Le mandant<br>{} {}</td></tr></table>\n<p class=\"ref\">{}</p>\n",
            esc(self.aidant_name),
            esc(&self.organisation.name),
            esc(&self.usager.given_name),
            esc(&self.usager.family_name),
            esc(&p[p.len() - 1])
        ));
        format!(
            "<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Mandat Aidants Connect</title>\n<style>body{{font-family:sans-serif;max-width:42em;margin:2em auto;line-height:1.4}}table.signatures{{width:100%;margin-top:3em}}td{{width:50%;height:6em;vertical-align:top;border-top:1px solid #000}}.ref{{color:#555;font-size:80%}}</style></head>\n<body>\n{body}</body></html>\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mandate::rules::{Aidant, ConsentRequest, Registry};
    use crate::mandate::{DemarcheSet, Duration, OrganisationId};
    use chrono::TimeZone;

    #[test]
    fn the_terms_name_everything() {
        let mut r = Registry::new();
        let org = OrganisationId::new(42).unwrap();
        r.add_organisation(Organisation {
            id: org,
            name: "CCAS de Guéret".into(),
            siret: "21230096300014".into(),
            active: true,
            allowed_demarches: DemarcheSet::ALL,
        })
        .unwrap();
        r.add_aidant(Aidant {
            id: "alice".into(),
            organisations: [org].into(),
            current_organisation: org,
            active: true,
            can_create_mandates: true,
            habilitation_from: None,
            habilitation_until: None,
        })
        .unwrap();
        r.add_usager(Usager {
            sub: "u1".into(),
            given_name: "Camille".into(),
            family_name: "Martin <script>".into(),
        })
        .unwrap();
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
        let c = r
            .create_mandate(
                "alice",
                "u1",
                DemarcheSet::parse(["social", "papiers"]).unwrap(),
                Duration::Long,
                ConsentRequest::InPerson,
                at,
            )
            .unwrap();
        let a = Attestation {
            mandate: r.mandate(c.mandate).unwrap(),
            organisation: r.organisation(org).unwrap(),
            usager: r.usager("u1").unwrap(),
            aidant_name: "Alice Durand",
            place: "Guéret",
        };
        let text = a.to_text();
        assert!(text.contains("J'autorise CCAS de Guéret, en tant que mandataire"));
        assert!(text.contains("« Papiers - Citoyenneté - Élections »"));
        assert!(text.contains("« Social - Santé »"));
        assert!(text.contains("pour une durée de 365 jours"));
        assert!(text.contains("jusqu'au 01/03/2027 à 10:30"));
        assert!(text.contains("Fait à Guéret, le 01/03/2026."));
        assert!(text.contains("articles 1984 et suivants du Code civil"));
        let html = a.to_html();
        assert!(html.contains("Martin &lt;script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
