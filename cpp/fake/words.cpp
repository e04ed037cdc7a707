// Word lists for odbctx::fake. Plain ASCII on purpose: every database and
// driver stores it unchanged, and sizes in characters equal sizes in bytes.
// Changing a list changes the data every seed produces.
#include "fake/words.hpp"

#include <array>

namespace odbctx::fake::words {
namespace {

constexpr std::array<std::string_view, 80> first_names_ = {
    "Ada",     "Alan",    "Alice",   "Amara",   "Anna",    "Arjun",   "Aylin",   "Ben",
    "Bianca",  "Carlos",  "Chen",    "Chloe",   "Dana",    "Daniel",  "Dmitri",  "Elena",
    "Emil",    "Emma",    "Erik",    "Fatima",  "Felix",   "Freya",   "Gabriel", "Grace",
    "Hana",    "Hugo",    "Ines",    "Isaac",   "Ivan",    "Jada",    "James",   "Jonas",
    "Julia",   "Kai",     "Kenji",   "Lara",    "Leila",   "Leo",     "Lina",    "Lucas",
    "Maya",    "Mei",     "Mila",    "Nadia",   "Nils",    "Noah",    "Nora",    "Olga",
    "Omar",    "Oscar",   "Paula",   "Pedro",   "Priya",   "Quinn",   "Rafael",  "Rosa",
    "Ruth",    "Sami",    "Sara",    "Sofia",   "Sven",    "Tariq",   "Tess",    "Theo",
    "Uma",     "Valeria", "Victor",  "Wanda",   "Wei",     "Xavier",  "Yara",    "Yusuf",
    "Zane",    "Zoe",     "Adam",    "Beatriz", "Cyrus",   "Diego",   "Eva",     "Farah",
};

constexpr std::array<std::string_view, 80> last_names_ = {
    "Abbott",   "Adeyemi",  "Alvarez",  "Andersen", "Baker",    "Bauer",    "Becker",
    "Bianchi",  "Brennan",  "Castro",   "Chowdhury", "Costa",   "Dahl",     "Dubois",
    "Eriksson", "Esposito", "Fischer",  "Fontaine", "Garcia",   "Gomez",    "Haddad",
    "Hansen",   "Hayashi",  "Horvat",   "Ibrahim",  "Ivanova",  "Jansen",   "Jensen",
    "Kaur",     "Keller",   "Kim",      "Kowalski", "Larsen",   "Lee",      "Lindqvist",
    "Lopez",    "Marino",   "Martin",   "Meyer",    "Moreau",   "Nakamura", "Nguyen",
    "Novak",    "Okafor",   "Olsen",    "Ortiz",    "Park",     "Patel",    "Petrov",
    "Quinn",    "Ramos",    "Reyes",    "Ricci",    "Rossi",    "Sato",     "Schmidt",
    "Silva",    "Singh",    "Sorensen", "Suzuki",   "Tanaka",   "Torres",   "Turner",
    "Ueda",     "Varga",    "Vogel",    "Walsh",    "Weber",    "Wong",     "Xu",
    "Yamamoto", "Yilmaz",   "Young",    "Zhang",    "Ziegler",  "Novotny",  "Holm",
    "Berg",     "Mensah",   "Dunn",
};

constexpr std::array<std::string_view, 128> common_ = {
    "account", "anchor",  "apple",   "arrow",   "autumn",  "badge",   "basket",  "beacon",
    "bridge",  "bright",  "cable",   "candle",  "canvas",  "carbon",  "castle",  "cedar",
    "channel", "circle",  "cloud",   "cobalt",  "copper",  "coral",   "cotton",  "crystal",
    "delta",   "desert",  "dragon",  "drift",   "eagle",   "echo",    "ember",   "engine",
    "falcon",  "feather", "field",   "flame",   "forest",  "fossil",  "garden",  "garnet",
    "glacier", "granite", "harbor",  "harvest", "hazel",   "helium",  "horizon", "island",
    "ivory",   "jasper",  "jungle",  "kettle",  "kernel",  "lantern", "lattice", "legend",
    "lemon",   "lilac",   "linen",   "lotus",   "magnet",  "maple",   "marble",  "meadow",
    "meteor",  "mirror",  "monsoon", "mosaic",  "nectar",  "needle",  "nickel",  "north",
    "oasis",   "ocean",   "olive",   "onyx",    "orbit",   "orchid",  "paddle",  "paper",
    "pebble",  "pepper",  "pilot",   "planet",  "plaza",   "prism",   "pulse",   "quarry",
    "quartz",  "quill",   "radar",   "raven",   "ribbon",  "river",   "rocket",  "saddle",
    "saffron", "signal",  "silver",  "socket",  "spark",   "spiral",  "summit",  "tablet",
    "thistle", "thunder", "timber",  "topaz",   "travel",  "tunnel",  "umber",   "valley",
    "velvet",  "vessel",  "violet",  "voyage",  "walnut",  "window",  "winter",  "wonder",
    "yarrow",  "yellow",  "zenith",  "zephyr",  "anvil",   "bramble", "cinder",  "dune",
};

constexpr std::array<std::string_view, 3> domains_ = {"example.com", "example.net",
                                                      "example.org"};

} // namespace

const std::span<const std::string_view> first_names{first_names_};
const std::span<const std::string_view> last_names{last_names_};
const std::span<const std::string_view> common{common_};
const std::span<const std::string_view> domains{domains_};

} // namespace odbctx::fake::words
