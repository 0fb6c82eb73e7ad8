//! The rules Pusdata enforces, with their stable IDs and the articles they come from
//! (`shared/regulations.md`). Findings, admission messages, reports and tests cite these IDs.

/// One rule of the two city regulations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable ID, e.g. `CLOUD-NKRI`.
    pub id: &'static str,
    /// Articles: `Perwal 8(3)` etc.
    pub source: &'static str,
    /// What it requires, in English.
    pub en: &'static str,
    /// What it requires, in Bahasa Indonesia.
    pub id_text: &'static str,
}

/// Every rule, in the order of the regulations table.
pub const RULES: &[Rule] = &[
    Rule {
        id: "HOST-PLACE",
        source: "Perwal 7(1); Perda 27(1)",
        en: "Agency servers, applications and databases are placed in the city Data Centre.",
        id_text: "Server, aplikasi dan basis data Perangkat Daerah ditempatkan di Pusat Data kota.",
    },
    Rule {
        id: "HOST-POWER",
        source: "Perwal 7(2)",
        en: "Servers in the Data Centre have redundant power supplies.",
        id_text: "Server di Pusat Data memiliki catu daya redundan.",
    },
    Rule {
        id: "HOST-LEGAL",
        source: "Perwal 7(3); Perda 20(2)",
        en: "Operating systems and software are licensed or open source.",
        id_text: "Sistem operasi dan perangkat lunak berlisensi atau open source.",
    },
    Rule {
        id: "HOST-CLEAN",
        source: "Perwal 7(4)",
        en: "Applications are free of backdoors, trojans and malware.",
        id_text: "Aplikasi bebas dari backdoor, trojan dan malware.",
    },
    Rule {
        id: "HOST-ACCESS",
        source: "Perwal 7(5)",
        en: "Physical access to the Data Centre only through an official request, with escort.",
        id_text: "Akses fisik ke Pusat Data hanya melalui permohonan resmi dan didampingi.",
    },
    Rule {
        id: "HOST-RACK",
        source: "Perwal 7(6)",
        en: "Servers are 19-inch rackmount.",
        id_text: "Server berbentuk rackmount 19 inci.",
    },
    Rule {
        id: "HOST-SITE",
        source: "Perwal 7(7)",
        en: "The Data Centre manager decides placement by power, cooling and the agency's needs.",
        id_text: "Pengelola Pusat Data menentukan penempatan berdasarkan daya, pendinginan dan kebutuhan Perangkat Daerah.",
    },
    Rule {
        id: "WEB-DC",
        source: "Perwal 19(3),(9)",
        en: "Each agency website is on its own subdomain of the city domain and placed in the Data Centre after approval.",
        id_text: "Situs web Perangkat Daerah memakai subdomain sendiri dari domain kota dan ditempatkan di Pusat Data setelah disetujui.",
    },
    Rule {
        id: "CLOUD-CITY",
        source: "Perwal 8(1),(2)",
        en: "Agencies short of resources use the city's own cloud, coordinating with the IT office.",
        id_text: "Perangkat Daerah yang kekurangan sumber daya memakai cloud milik kota, berkoordinasi dengan Dinas.",
    },
    Rule {
        id: "CLOUD-NKRI",
        source: "Perwal 8(3)",
        en: "Other cloud services only with the IT office's technical approval and servers inside Indonesia.",
        id_text: "Layanan cloud lain hanya dengan persetujuan teknis Dinas dan server di wilayah NKRI.",
    },
    Rule {
        id: "NET-PORTS",
        source: "Perwal 6(7)",
        en: "Internet traffic only on the standard ports unless specially approved.",
        id_text: "Lalu lintas internet hanya pada port standar kecuali disetujui khusus.",
    },
    Rule {
        id: "SEC-REGISTER",
        source: "Perwal 9(1)-(3)",
        en: "Devices and applications are registered; the IT office sets their security level and owns IP numbering.",
        id_text: "Perangkat dan aplikasi didaftarkan; Dinas menetapkan tingkat keamanan dan mengelola penomoran IP.",
    },
    Rule {
        id: "DR-PLAN",
        source: "Perda 26(10); Perwal Lampiran I(c)",
        en: "The DRC is built and run according to a DRP written by the IT office.",
        id_text: "DRC dibangun dan dijalankan sesuai DRP yang disusun Dinas.",
    },
    Rule {
        id: "DR-FAR",
        source: "Perda 26(11); Penjelasan Perda 26(1)(a)",
        en: "Backups and the DRC sit far from the Data Centre and its risks, outside Kota Bekasi.",
        id_text: "Cadangan dan DRC berada jauh dari Pusat Data dan risikonya, di luar Kota Bekasi.",
    },
    Rule {
        id: "DR-NKRI",
        source: "Perwal 10 with 8(3)",
        en: "On disaster, operations move to the DRC following the in-country rule.",
        id_text: "Saat bencana, operasi pindah ke DRC dengan tetap di wilayah NKRI.",
    },
    Rule {
        id: "APP-BACKUP",
        source: "Perwal 14(7)",
        en: "Every application ships a backup and restore procedure.",
        id_text: "Setiap aplikasi dilengkapi prosedur backup dan restore.",
    },
    Rule {
        id: "DATA-DC",
        source: "Perda 23(1)",
        en: "All data is stored in the Data Centre managed by the IT office and agencies.",
        id_text: "Seluruh data disimpan di Pusat Data yang dikelola Dinas dan Perangkat Daerah.",
    },
    Rule {
        id: "SEC-CIA",
        source: "Perda 2(9); Perwal 5; Perwal 22",
        en: "Confidentiality, integrity, authenticity, availability and non-repudiation.",
        id_text: "Kerahasiaan, keutuhan, keaslian, ketersediaan dan nirsangkal.",
    },
    Rule {
        id: "SEC-INCIDENT",
        source: "Perda 30(4)",
        en: "After a serious failure, secure the data and report in writing to the IT office.",
        id_text: "Setelah kegagalan serius, amankan data dan laporkan secara tertulis kepada Dinas.",
    },
    Rule {
        id: "AUDIT",
        source: "Perda 43-45",
        en: "Infrastructure is audited at least every two years.",
        id_text: "Infrastruktur diaudit paling sedikit dua tahun sekali.",
    },
];

/// Looks a rule up by ID.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// The rules table as Markdown, for `docs/rules.md` (regenerated by `pusdata crd --write`).
pub fn render_markdown() -> String {
    let mut md = String::from(
        "<!-- Generated by `pusdata crd --write` from operator/core/src/rules.rs. Do not edit. -->\n\
         # The rules Pusdata enforces / Aturan yang ditegakkan Pusdata\n\n\
         Sources: **Perda** Kota Bekasi No. 3/2020 (*Penyelenggaraan SPBE*) and **Perwal** Kota \
         Bekasi No. 8/2017 (*Pedoman Pengelolaan TIK*). Every finding, admission message, report \
         line and test cites one of these IDs.\n\n\
         | ID | Source | Requires | Mewajibkan |\n|---|---|---|---|\n",
    );
    for r in RULES {
        md.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.id, r.source, r.en, r.id_text
        ));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_rules_with_unique_ids() {
        assert_eq!(RULES.len(), 20);
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 20);
        assert_eq!(rule("CLOUD-NKRI").map(|r| r.source), Some("Perwal 8(3)"));
        assert!(rule("NOPE").is_none());
    }
}
