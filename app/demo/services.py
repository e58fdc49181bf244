"""The deterministic demo data set: producers, OCOP products, buyers, demand and four logins.

Everything comes from this module's own tables and `random.Random(seed)`: no network and
no outside data. The same seed on the same day gives the same rows; certificate dates are
counted back from today so there are always both valid and expired certificates.

`build_demo` is pure (plain dictionaries); `load_demo` writes them through the catalogue
and account services, so every row passes the validation user input passes. It flushes
and leaves the commit to the caller.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import User
from app.catalog import services
from app.catalog.vocab import BUYER_TYPES, CATEGORIES, CERTIFIED_MIN_STARS, PRODUCER_KINDS
from app.data.provinces import PROVINCES, fold
from app.extensions import db

DEMO_PASSWORD = "ocop-demo-2025"  # noqa: S105 - a published demo password, printed on purpose
DEMO_DOMAIN = "demo.ocopfair.vn"
FEATURED_PROVINCES = ("22", "24", "20")
FEATURED_PRODUCER = "HTX Chè Đường Hoa Hải Hà"
FEATURED_BUYER = "Co.opmart Hạ Long"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    full_name: str
    organisation: str | None


DEMO_LOGINS = (
    DemoLogin("organiser", f"organiser@{DEMO_DOMAIN}", "Phạm Thu Hà", None),
    DemoLogin("exhibitor", f"exhibitor@{DEMO_DOMAIN}", "Nguyễn Thị Lan", FEATURED_PRODUCER),
    DemoLogin("buyer", f"buyer@{DEMO_DOMAIN}", "Trần Minh Đức", FEATURED_BUYER),
    DemoLogin("admin", f"admin@{DEMO_DOMAIN}", "Quản trị hệ thống", None),
)


# ---------------------------------------------------------------- product kinds


@dataclass(frozen=True)
class Kind:
    """One kind of OCOP product as a producer of a place makes it."""

    key: str  # the kind's part of a traceability code: QN-HH-TEA-0001
    category: str
    unit: str  # of the monthly capacity
    capacity: tuple[float, float]  # a typical cooperative's output per month, in `unit`
    price: tuple[int, int]  # VND per `price_unit`
    vi: str
    en: str
    fr: str
    desc_vi: str | None = None
    desc_en: str | None = None
    price_unit: str | None = None  # defaults to `unit`

    @property
    def group(self) -> str:
        return CATEGORIES[self.category][0]


def K(
    key: str,
    category: str,
    unit: str,
    capacity: tuple[float, float],
    price: tuple[int, int],
    vi: str,
    en: str,
    fr: str,
    desc_vi: str | None = None,
    desc_en: str | None = None,
    price_unit: str | None = None,
) -> Kind:
    """A short constructor, so that the tables below read as tables."""
    return Kind(key, category, unit, capacity, price, vi, en, fr, desc_vi, desc_en, price_unit)


@dataclass(frozen=True)
class Cluster:
    """Producers of one place making the same family of products."""

    province: str
    locality: str
    communes: tuple[str, ...]
    trade: str  # in organisation names: "HTX Chè Quảng Long Hải Hà"
    what: str  # in descriptions: "chè xanh và hồng trà"
    producers: int
    kinds: tuple[Kind, ...]
    mix: tuple[int, int, int] = (45, 35, 20)  # weights of cooperative, household, enterprise


QN, BG, LS = "22", "24", "20"

# fmt: off
CLUSTERS: tuple[Cluster, ...] = (
    # ------------------------------------------------------------ Quảng Ninh
    Cluster(
        QN,
        "Hải Hà",
        ("xã Đường Hoa", "xã Quảng Long", "xã Quảng Phong", "xã Quảng Minh", "xã Quảng Thành"),
        "Chè",
        "chè xanh, trà nõn tôm và hồng trà",
        6,
        (
            K("TEA", "tea", "kg", (300, 1500), (250_000, 450_000), "Chè xanh Hải Hà", "Hải Hà green tea",
              "Thé vert de Hải Hà",
              "Chè búp xanh sao suốt thủ công, nước xanh vàng, vị chát dịu, hậu ngọt.",
              "Hand-roasted green tea buds: yellow-green liquor, mild astringency, sweet finish."),
            K("TNT", "tea", "kg", (100, 600), (450_000, 850_000), "Trà nõn tôm Hải Hà",
              "Hải Hà young-bud tea", "Thé de jeunes bourgeons de Hải Hà",
              "Một tôm hai lá hái sáng sớm trên đồi chè Quảng Long, sao bằng chảo gang.",
              "One bud and two leaves picked at dawn on the Quảng Long hills, pan-roasted."),
            K("BTEA", "tea", "kg", (100, 500), (300_000, 600_000), "Hồng trà Hải Hà", "Hải Hà black tea",
              "Thé noir de Hải Hà",
              "Trà lên men toàn phần từ giống chè Trung du, nước đỏ hổ phách, hương mật ong.",
              "Fully oxidised tea from the midland cultivar, amber liquor with a honey note."),
            K("TBAG", "tea", "box", (500, 3000), (40_000, 85_000), "Trà túi lọc Hải Hà",
              "Hải Hà green tea bags", "Thé vert de Hải Hà en sachets",
              "Hộp 25 túi lọc chè xanh Hải Hà, tiện dùng cho văn phòng và khách sạn.",
              "A box of 25 Hải Hà green tea bags for offices and hotel rooms."),
        ),
        mix=(55, 25, 20),
    ),
    Cluster(
        QN,
        "Cô Tô",
        ("thị trấn Cô Tô", "xã Đồng Tiến", "xã Thanh Lân"),
        "Hải sản",
        "mực ống và nước mắm đảo Cô Tô",
        5,
        (
            K("SQD", "seafood", "kg", (100, 600), (480_000, 800_000), "Mực một nắng Cô Tô",
              "Cô Tô sun-dried squid", "Calmar séché au soleil de Cô Tô",
              "Mực ống câu đêm, phơi một nắng trên đảo, thịt dày, ngọt.",
              "Night-jigged squid dried for one day in the island sun, thick and sweet."),
            K("SQF", "seafood", "kg", (50, 300), (900_000, 1_600_000), "Mực khô Cô Tô", "Cô Tô dried squid",
              "Calmar séché de Cô Tô",
              "Mực ống khô loại 1, đóng túi hút chân không, có tem truy xuất.",
              "Grade-one dried squid, vacuum-packed with a traceability label."),
            K("FSC", "sauces_spices", "litre", (500, 3000), (80_000, 180_000), "Nước mắm Cô Tô",
              "Cô Tô fish sauce", "Sauce de poisson de Cô Tô",
              "Nước mắm cá cơm ủ chượp 12 tháng trong thùng gỗ, độ đạm 30°N.",
              "Anchovy fish sauce aged 12 months in wooden vats, 30°N protein."),
        ),
        mix=(35, 45, 20),
    ),
    Cluster(
        QN,
        "Cô Tô",
        ("thị trấn Cô Tô", "xã Đồng Tiến", "xã Thanh Lân"),
        "Du lịch cộng đồng",
        "du lịch cộng đồng trên đảo",
        2,
        (
            K("HST", "tourism", "guest", (100, 600), (250_000, 600_000), "Homestay cộng đồng Cô Tô",
              "Cô Tô community homestay", "Hébergement chez l'habitant à Cô Tô",
              "Nghỉ tại nhà dân trên đảo, ăn hải sản do ngư dân đánh bắt trong ngày.",
              "Stay with island families and eat the fishermen's catch of the day."),
            K("TOUR", "tourism", "guest", (200, 1200), (700_000, 1_500_000), "Tour khám phá đảo Cô Tô",
              "Cô Tô island discovery tour", "Circuit découverte de l'île de Cô Tô",
              "Hai ngày một đêm: bãi đá Cô Tô con, ngọn hải đăng, câu mực đêm cùng ngư dân.",
              "Two days, one night: the rock beach, the lighthouse and night squid fishing."),
        ),
        mix=(50, 50, 0),
    ),
    Cluster(
        QN,
        "Hạ Long",
        ("phường Hồng Gai", "phường Bãi Cháy", "phường Hà Khánh", "phường Hùng Thắng", "phường Hà Phong"),
        "Chả mực",
        "chả mực giã tay và hải sản chế biến",
        6,
        (
            K("CMH", "seafood", "kg", (500, 4000), (300_000, 450_000), "Chả mực Hạ Long",
              "Hạ Long squid cake", "Galettes de calmar d'Hạ Long",
              "Mực tươi vùng vịnh giã tay, viên và chiên vàng, giòn sần sật.",
              "Fresh bay squid pounded by hand, shaped and fried golden, with a springy bite."),
            K("CMT", "seafood", "kg", (200, 1500), (380_000, 520_000), "Chả mực giã tay Hạ Long",
              "Hạ Long hand-pounded squid cake", "Galettes de calmar pilé à la main d'Hạ Long",
              "Chả mực sống cấp đông, giã bằng cối đá, không phụ gia.",
              "Raw squid paste pounded in a stone mortar, frozen, no additives."),
            K("CCH", "seafood", "kg", (300, 2000), (180_000, 280_000), "Chả cá Hạ Long",
              "Hạ Long fish cake", "Galettes de poisson d'Hạ Long",
              "Chả cá thu, cá mối tươi, chiên vàng, đóng hộp 500 g.",
              "Mackerel and lizardfish cakes, fried golden, in 500 g packs."),
            K("RUOC", "seafood", "kg", (50, 300), (600_000, 900_000), "Ruốc tôm Hạ Long",
              "Hạ Long shrimp floss", "Crevettes effilochées d'Hạ Long",
              "Tôm he rang khô, giã tơi, đóng lọ thủy tinh.",
              "Banana prawns dry-roasted and shredded, in glass jars."),
        ),
        mix=(25, 50, 25),
    ),
    Cluster(
        QN,
        "Hạ Long",
        ("xã Thống Nhất", "xã Lê Lợi", "xã Sơn Dương", "xã Đồng Lâm", "xã Kỳ Thượng"),
        "Nông sản",
        "mật ong rừng và trà dây vùng Hoành Bồ",
        3,
        (
            K("HONEY", "honey", "litre", (100, 600), (350_000, 600_000), "Mật ong hoa rừng Hoành Bồ",
              "Hoành Bồ wild-flower honey", "Miel de fleurs sauvages de Hoành Bồ",
              "Mật ong khai thác từ đàn ong nội nuôi dưới tán rừng Đồng Sơn, Kỳ Thượng.",
              "Honey from native bees kept under the Đồng Sơn and Kỳ Thượng forests."),
            K("TDAY", "medicinal_wine", "kg", (50, 400), (250_000, 450_000), "Trà dây Hoành Bồ",
              "Hoành Bồ vine tea", "Tisane de liane de Hoành Bồ",
              "Lá trà dây rừng phơi khô, dùng hãm nước uống hằng ngày, hỗ trợ tiêu hóa.",
              "Dried wild vine-tea leaves, an everyday infusion said to aid digestion."),
        ),
    ),
    Cluster(
        QN,
        "Cẩm Phả",
        ("phường Cẩm Hải", "phường Cộng Hòa", "phường Quang Hanh", "xã Dương Huy"),
        "Than đá mỹ nghệ",
        "tranh và đồ lưu niệm làm từ than đá",
        3,
        (
            K("TTD", "handicrafts", "piece", (50, 400), (300_000, 3_000_000), "Tranh than đá Hạ Long",
              "Hạ Long coal painting", "Tableau en charbon d'Hạ Long",
              "Tranh ghép từ than antraxit vùng mỏ, đề tài vịnh Hạ Long và đời sống thợ mỏ.",
              "Pictures laid in anthracite from the mines: the bay and the miners' life."),
            K("TUONG", "handicrafts", "piece", (100, 800), (150_000, 1_200_000), "Tượng than đá mỹ nghệ",
              "Carved coal figurine", "Statuette en charbon sculpté",
              "Tượng nhỏ tạc từ khối than nguyên, phủ sơn mài chống bám bụi.",
              "Small figures carved from solid coal, lacquered against dust."),
            K("MKHOA", "handicrafts", "piece", (1000, 5000), (30_000, 80_000), "Móc khóa than đá Hạ Long",
              "Hạ Long coal key ring", "Porte-clés en charbon d'Hạ Long",
              "Quà lưu niệm nhỏ gọn cho khách du lịch, khắc tên theo yêu cầu.",
              "A small souvenir for visitors, engraved with a name on request."),
        ),
        mix=(30, 30, 40),
    ),
    Cluster(
        QN,
        "Vân Đồn",
        ("xã Quan Lạn", "xã Minh Châu", "xã Bản Sen", "xã Đông Xá", "xã Vạn Yên", "thị trấn Cái Rồng"),
        "Hải sản",
        "sá sùng, hàu, tu hài và nước mắm Cái Rồng",
        6,
        (
            K("SSG", "seafood", "kg", (10, 80), (3_500_000, 6_000_000), "Sá sùng khô Vân Đồn",
              "Vân Đồn dried peanut worm", "Ver sipuncle séché de Vân Đồn",
              "Sá sùng đào trên bãi cát Quan Lạn, phơi khô, nướng lên thơm ngọt; dùng nấu nước dùng.",
              "Peanut worms dug on the Quan Lạn sands and dried; the secret of a sweet broth."),
            K("NMCR", "sauces_spices", "litre", (1000, 8000), (90_000, 200_000), "Nước mắm Cái Rồng",
              "Cái Rồng fish sauce", "Sauce de poisson de Cái Rồng",
              "Nước mắm truyền thống ủ chượp cá cơm và muối biển, đóng chai thủy tinh.",
              "Traditional anchovy and sea-salt fish sauce, bottled in glass."),
            K("HAU", "seafood", "kg", (1000, 8000), (40_000, 70_000), "Hàu Vân Đồn", "Vân Đồn oysters",
              "Huîtres de Vân Đồn",
              "Hàu Thái Bình Dương nuôi trên bè vùng vịnh Bái Tử Long, giao sống trong ngày.",
              "Pacific oysters raised on rafts in Bái Tử Long bay, delivered live the same day."),
            K("CAM", "fresh_fruit", "kg", (1000, 6000), (35_000, 60_000), "Cam Vân Đồn", "Vân Đồn oranges",
              "Oranges de Vân Đồn",
              "Cam trồng trên đất đồi ven biển Vân Đồn, vỏ mỏng, mọng nước.",
              "Oranges from the coastal hills of Vân Đồn, thin-skinned and juicy."),
            K("TUHAI", "seafood", "kg", (200, 1000), (250_000, 400_000), "Tu hài Vân Đồn",
              "Vân Đồn geoduck", "Panope de Vân Đồn",
              "Tu hài nuôi đáy cát sạch, thịt giòn ngọt, giao sống hoặc cấp đông.",
              "Geoducks raised on clean sand, crisp and sweet, live or frozen."),
        ),
    ),
    Cluster(
        QN,
        "Vân Đồn",
        ("xã Bản Sen", "xã Hạ Long", "thị trấn Cái Rồng"),
        "Ngọc trai",
        "ngọc trai nuôi và trang sức ngọc trai",
        2,
        (
            K("PEARL", "handicrafts", "piece", (200, 2000), (500_000, 5_000_000),
              "Trang sức ngọc trai Hạ Long",
              "Hạ Long pearl jewellery", "Bijoux en perles d'Hạ Long",
              "Ngọc trai nuôi cấy trong vịnh, chế tác thành vòng cổ, bông tai, có giấy kiểm định.",
              "Pearls cultured in the bay, set as necklaces and earrings, with a certificate."),
            K("PEARLC", "essential_oils", "bottle", (300, 2000), (250_000, 650_000), "Kem dưỡng da ngọc trai",
              "Pearl skin cream", "Crème de soin à la perle",
              "Kem dưỡng chiết xuất bột ngọc trai Vân Đồn, hũ 30 g.",
              "Skin cream with Vân Đồn pearl powder, 30 g jar."),
        ),
        mix=(20, 0, 80),
    ),
    Cluster(
        QN,
        "Đông Triều",
        ("xã An Sinh", "xã Bình Khê", "xã Tràng Lương", "xã Yên Đức", "phường Thủy An", "phường Hồng Phong"),
        "Nông sản",
        "bưởi, vải và mai vàng Yên Tử",
        5,
        (
            K("BUOI", "fresh_fruit", "kg", (2000, 10000), (25_000, 45_000), "Bưởi Đông Triều",
              "Đông Triều pomelo", "Pomelo de Đông Triều",
              "Bưởi đỏ và bưởi Diễn trồng theo VietGAP trên đất đồi Đông Triều.",
              "Red and Diễn pomelos grown to VietGAP on the Đông Triều hills."),
            K("VAI", "fresh_fruit", "kg", (3000, 15000), (30_000, 60_000), "Vải chín sớm Đông Triều",
              "Đông Triều early lychee", "Litchi précoce de Đông Triều",
              "Vải chín sớm từ giữa tháng 5, quả to, cùi dày.",
              "Lychees ripening from mid-May, large fruit with thick flesh."),
            K("MAI", "furniture", "piece", (20, 200), (1_500_000, 15_000_000), "Mai vàng Yên Tử",
              "Yên Tử yellow apricot blossom", "Abricotier jaune de Yên Tử",
              "Mai vàng Yên Tử trồng chậu, hoa năm cánh vàng tươi, chơi Tết.",
              "Potted Yên Tử yellow apricot trees with five-petalled blossoms for Tết."),
        ),
    ),
    Cluster(
        QN,
        "Đông Triều",
        ("xã Tràng An", "phường Mạo Khê", "phường Đức Chính", "phường Hưng Đạo"),
        "Gốm",
        "gốm sứ Đông Triều",
        3,
        (
            K("GOM", "handicrafts", "piece", (500, 5000), (80_000, 1_200_000), "Gốm sứ Đông Triều",
              "Đông Triều pottery", "Poterie de Đông Triều",
              "Gốm đất đỏ nung củi, men tro truyền thống, làm thủ công từng chiếc.",
              "Wood-fired red-clay pottery with traditional ash glazes, each piece hand-made."),
            K("BINH", "furniture", "piece", (100, 800), (350_000, 2_500_000), "Bình gốm men rạn Đông Triều",
              "Đông Triều crackle-glaze vase", "Vase à glaçure craquelée de Đông Triều",
              "Bình trang trí men rạn cổ, cao 30 đến 80 cm.",
              "Decorative crackle-glaze vases, 30 to 80 cm tall."),
            K("AMCHEN", "handicrafts", "set", (100, 1000), (300_000, 1_500_000), "Bộ ấm chén gốm Đông Triều",
              "Đông Triều pottery tea set", "Service à thé en céramique de Đông Triều",
              "Bộ ấm sáu chén men lam, hộp quà tặng.",
              "A teapot and six cups in blue glaze, gift-boxed."),
        ),
        mix=(40, 30, 30),
    ),
    Cluster(
        QN,
        "Uông Bí",
        ("xã Thượng Yên Công", "phường Phương Đông", "phường Vàng Danh", "phường Nam Khê"),
        "Dược liệu Yên Tử",
        "dược liệu và rượu mơ vùng Yên Tử",
        4,
        (
            K("TTM", "medicinal_wine", "kg", (50, 400), (300_000, 700_000), "Trà thảo mộc Yên Tử",
              "Yên Tử herbal tea", "Tisane aux plantes de Yên Tử",
              "Phối trộn các vị thuốc nam trồng dưới chân núi Yên Tử theo bài thuốc cổ.",
              "A blend of herbs grown at the foot of Yên Tử mountain, after an old recipe."),
            K("CAO", "herbal_medicine", "kg", (20, 150), (600_000, 1_500_000), "Cao dược liệu Yên Tử",
              "Yên Tử herbal extract", "Extrait de plantes de Yên Tử",
              "Cao đặc chiết xuất từ dược liệu Yên Tử, hũ 100 g."),
            K("RMO", "wine_spirits", "litre", (200, 2000), (150_000, 350_000), "Rượu mơ Yên Tử",
              "Yên Tử apricot wine", "Vin d'abricot de Yên Tử",
              "Mơ lông Yên Tử ngâm rượu nếp, ủ trên một năm, vị chua ngọt dịu.",
              "Yên Tử apricots steeped in glutinous-rice spirit for over a year."),
        ),
    ),
    Cluster(
        QN,
        "Quảng Yên",
        ("phường Tân An", "xã Tiền An", "xã Sông Khoai", "phường Hà An", "phường Phong Cốc", "xã Liên Vị"),
        "Nông sản",
        "hàu, rau an toàn và trứng gà Tân An",
        4,
        (
            K("HAUS", "seafood", "kg", (2000, 10000), (35_000, 60_000), "Hàu sữa Quảng Yên",
              "Quảng Yên milk oysters", "Huîtres laiteuses de Quảng Yên",
              "Hàu nuôi vùng cửa sông Bạch Đằng, béo ngậy vào mùa đông.",
              "Oysters from the Bạch Đằng estuary, at their richest in winter."),
            K("RAU", "vegetables", "kg", (3000, 15000), (15_000, 30_000), "Rau an toàn Quảng Yên",
              "Quảng Yên safe vegetables", "Légumes sains de Quảng Yên",
              "Rau ăn lá và củ trồng theo VietGAP, giao trong ngày cho bếp ăn và siêu thị.",
              "Leafy and root vegetables grown to VietGAP, delivered daily to kitchens and shops."),
            K("TRUNG", "meat_products", "piece", (10000, 80000), (3_000, 5_000), "Trứng gà Tân An",
              "Tân An chicken eggs", "Œufs de poule de Tân An",
              "Trứng gà ta nuôi thả vườn, lòng đỏ đậm, đóng vỉ 10 quả.",
              "Free-range eggs with deep yellow yolks, in boxes of ten."),
        ),
    ),
    Cluster(
        QN,
        "Móng Cái",
        ("phường Trà Cổ", "phường Hải Xuân", "phường Bình Ngọc", "xã Vạn Ninh", "xã Hải Đông", "xã Hải Tiến"),
        "Thực phẩm",
        "thịt lợn Móng Cái và hải sản khô",
        4,
        (
            K("LON", "meat_products", "kg", (2000, 8000), (110_000, 160_000), "Thịt lợn Móng Cái",
              "Móng Cái pork", "Porc de Móng Cái",
              "Thịt lợn giống Móng Cái nuôi bằng thức ăn xanh, thịt chắc, thơm.",
              "Pork from the Móng Cái breed fed on greens: firm and fragrant."),
            K("TOM", "seafood", "kg", (50, 300), (900_000, 1_400_000), "Tôm he khô Móng Cái",
              "Móng Cái dried prawns", "Crevettes séchées de Móng Cái",
              "Tôm he biển Trà Cổ luộc, sấy khô, bóc vỏ.",
              "Trà Cổ sea prawns boiled, dried and peeled."),
            K("NGAN", "seafood", "kg", (200, 1500), (120_000, 200_000), "Ngán Móng Cái",
              "Móng Cái ngán clams", "Palourdes ngán de Móng Cái",
              "Ngán bãi triều ven biển Móng Cái, giao sống trong ngày.",
              "Tidal-flat ngán clams from the Móng Cái coast, delivered live."),
        ),
    ),
    Cluster(
        QN,
        "Đầm Hà",
        ("xã Quảng Tân", "xã Đại Bình", "xã Tân Bình", "xã Quảng Lợi", "xã Dực Yên"),
        "Nông sản",
        "ngán, dầu lạc và mật ong",
        3,
        (
            K("NGAN", "seafood", "kg", (200, 1500), (120_000, 200_000), "Ngán Đầm Hà", "Đầm Hà ngán clams",
              "Palourdes ngán de Đầm Hà", "Ngán nuôi trên bãi triều Đầm Hà, vỏ mỏng, thịt ngọt."),
            K("DLAC", "sauces_spices", "litre", (200, 1500), (80_000, 120_000), "Dầu lạc Đầm Hà",
              "Đầm Hà peanut oil", "Huile d'arachide de Đầm Hà",
              "Dầu lạc ép nguội từ lạc đỏ địa phương, lọc tự nhiên.",
              "Cold-pressed oil from local red peanuts, naturally settled."),
            K("HONEY", "honey", "litre", (100, 600), (300_000, 500_000), "Mật ong rừng Đầm Hà",
              "Đầm Hà forest honey", "Miel de forêt de Đầm Hà",
              "Mật ong từ đàn ong nội nuôi trong rừng keo và rừng tự nhiên."),
        ),
    ),
    Cluster(
        QN,
        "Tiên Yên",
        ("xã Hải Lạng", "xã Đông Ngũ", "xã Phong Dụ", "xã Đông Hải", "xã Yên Than", "xã Điền Xá"),
        "Gà",
        "gà Tiên Yên và bánh gật gù",
        4,
        (
            K("GA", "meat_products", "kg", (1000, 6000), (140_000, 200_000), "Gà Tiên Yên",
              "Tiên Yên free-range chicken", "Poulet fermier de Tiên Yên",
              "Gà chân vàng nuôi thả đồi trên 5 tháng, da giòn, thịt chắc.",
              "Yellow-legged chickens raised free on the hills for over five months."),
            K("GAUM", "meat_products", "kg", (200, 1000), (280_000, 360_000), "Gà Tiên Yên ủ muối",
              "Tiên Yên salt-cured chicken", "Poulet de Tiên Yên cuit au sel",
              "Gà Tiên Yên ủ muối hột và lá chanh, hút chân không.",
              "Tiên Yên chicken baked in coarse salt with lime leaves, vacuum-packed."),
            K("GATGU", "rice_noodles", "kg", (300, 1500), (50_000, 80_000), "Bánh gật gù Tiên Yên",
              "Tiên Yên rice-noodle sheets", "Feuilles de riz de Tiên Yên",
              "Bánh tráng gạo mỏng tráng tay, ăn cùng nước dùng gà.",
              "Thin hand-made rice sheets eaten with chicken broth."),
        ),
    ),
    Cluster(
        QN,
        "Bình Liêu",
        ("xã Đồng Văn", "xã Hoành Mô", "xã Lục Hồn", "xã Tình Húc", "xã Vô Ngại", "xã Đồng Tâm"),
        "Miến dong",
        "miến dong, dầu sở và măng khô",
        6,
        (
            K("MIEN", "rice_noodles", "kg", (1000, 8000), (90_000, 140_000), "Miến dong Bình Liêu",
              "Bình Liêu arrowroot vermicelli", "Vermicelles de canna de Bình Liêu",
              "Sợi miến làm từ tinh bột dong riềng đỏ, phơi nắng tự nhiên, dai, không nát.",
              "Vermicelli from red canna starch, sun-dried, springy and firm when cooked."),
            K("DSO", "essential_oils", "bottle", (300, 2000), (150_000, 300_000), "Dầu sở Bình Liêu",
              "Bình Liêu camellia oil", "Huile de camélia de Bình Liêu",
              "Dầu hạt sở ép nguội, dùng nấu ăn và dưỡng da, chai 500 ml.",
              "Cold-pressed camellia seed oil for cooking and skin care, 500 ml bottle."),
            K("MANG", "vegetables", "kg", (200, 1500), (250_000, 400_000), "Măng khô Bình Liêu",
              "Bình Liêu dried bamboo shoots", "Pousses de bambou séchées de Bình Liêu",
              "Măng mai rừng luộc, phơi khô trên gác bếp."),
        ),
    ),
    Cluster(
        QN,
        "Bình Liêu",
        ("xã Đồng Văn", "xã Húc Động", "xã Đồng Tâm"),
        "Thổ cẩm",
        "thổ cẩm và trang phục người Dao Thanh Phán",
        3,
        (
            K("KTC", "textiles", "piece", (100, 600), (150_000, 450_000), "Khăn thổ cẩm Dao Thanh Phán",
              "Dao Thanh Phán brocade scarf", "Écharpe en brocart Dao Thanh Phán",
              "Khăn dệt và thêu tay hoa văn Dao Thanh Phán, mỗi chiếc mất hai tuần.",
              "Scarves woven and hand-embroidered with Dao Thanh Phán motifs, two weeks each."),
            K("TUI", "garments", "piece", (200, 1000), (120_000, 350_000), "Túi thổ cẩm Bình Liêu",
              "Bình Liêu brocade bag", "Sac en brocart de Bình Liêu",
              "Túi đeo vai may từ vải thổ cẩm thêu tay.",
              "Shoulder bags sewn from hand-embroidered brocade."),
            K("BTP", "garments", "set", (20, 120), (1_500_000, 3_500_000), "Bộ trang phục Dao Thanh Phán",
              "Dao Thanh Phán costume", "Costume Dao Thanh Phán",
              "Bộ áo, váy, khăn truyền thống may đo theo yêu cầu."),
        ),
        mix=(60, 40, 0),
    ),
    Cluster(
        QN,
        "Bình Liêu",
        ("xã Đồng Văn", "xã Hoành Mô", "xã Lục Hồn"),
        "Du lịch cộng đồng",
        "du lịch cộng đồng vùng biên",
        2,
        (
            K("HST", "tourism", "guest", (100, 500), (250_000, 500_000), "Homestay cộng đồng Bình Liêu",
              "Bình Liêu community homestay", "Hébergement chez l'habitant à Bình Liêu",
              "Nhà sàn người Tày, Dao giữa ruộng bậc thang Đồng Văn, ăn cơm cùng gia đình.",
              "Tày and Dao stilt houses among the Đồng Văn terraces; meals with the family."),
            K("TOUR", "tourism", "guest", (150, 800), (600_000, 1_200_000),
              "Tour sống lưng khủng long Bình Liêu",
              "Bình Liêu border-ridge trek", "Randonnée sur la crête frontalière de Bình Liêu",
              "Đi bộ dọc đường tuần tra biên giới, qua các cột mốc 1291 đến 1305.",
              "A walk along the border patrol path past markers 1291 to 1305."),
        ),
        mix=(50, 50, 0),
    ),
    Cluster(
        QN,
        "Ba Chẽ",
        ("xã Thanh Sơn", "xã Đạp Thanh", "xã Thanh Lâm", "xã Nam Sơn", "xã Lương Mông", "xã Đồn Đạc"),
        "Dược liệu",
        "trà hoa vàng và ba kích tím",
        6,
        (
            K("THV", "medicinal_wine", "kg", (20, 200), (2_000_000, 6_000_000), "Trà hoa vàng Ba Chẽ",
              "Ba Chẽ golden camellia tea", "Thé de camélia doré de Ba Chẽ",
              "Bông trà hoa vàng sấy lạnh giữ nguyên màu, nước vàng óng, vị ngọt hậu.",
              "Golden camellia flowers freeze-dried whole: a golden, gently sweet infusion."),
            K("THVT", "medicinal_wine", "box", (200, 2000), (150_000, 300_000), "Trà hoa vàng túi lọc Ba Chẽ",
              "Ba Chẽ golden camellia tea bags", "Thé de camélia doré de Ba Chẽ en sachets",
              "Hộp 20 túi lọc lá và hoa trà hoa vàng."),
            K("BK", "herbal_medicine", "kg", (100, 800), (250_000, 450_000), "Ba kích tím Ba Chẽ",
              "Ba Chẽ morinda root", "Racine de morinda de Ba Chẽ",
              "Củ ba kích tím trồng dưới tán rừng trên ba năm, rút lõi, phơi khô.",
              "Morinda roots grown under forest cover for over three years, cored and dried."),
            K("RBK", "medicinal_wine", "litre", (200, 2000), (300_000, 600_000), "Rượu ba kích Ba Chẽ",
              "Ba Chẽ morinda wine", "Vin de morinda de Ba Chẽ",
              "Rượu ngâm ba kích tím, màu tím đỏ tự nhiên, chai 500 ml.",
              "Spirit steeped with purple morinda root, naturally red-purple, 500 ml bottle."),
        ),
        mix=(55, 25, 20),
    ),
    # ------------------------------------------------------------ Bắc Giang
    Cluster(
        BG,
        "Lục Ngạn",
        ("xã Phượng Sơn", "xã Hồng Giang", "xã Quý Sơn", "xã Tân Quang", "xã Thanh Hải", "xã Giáp Sơn"),
        "Vải thiều",
        "vải thiều, cam và sản phẩm chế biến từ vải",
        8,
        (
            K("VAI", "fresh_fruit", "kg", (5000, 40000), (25_000, 50_000), "Vải thiều Lục Ngạn",
              "Lục Ngạn lychee", "Litchi de Lục Ngạn",
              "Vải thiều chỉ dẫn địa lý Lục Ngạn, cùi dày, hạt nhỏ, trồng theo VietGAP và GlobalGAP.",
              "Lục Ngạn geographical-indication lychee: thick flesh, small seed, VietGAP/GlobalGAP."),
            K("VAIS", "dried_fruit", "kg", (500, 5000), (120_000, 200_000), "Vải thiều sấy khô Lục Ngạn",
              "Lục Ngạn dried lychee", "Litchi séché de Lục Ngạn",
              "Vải sấy củi truyền thống, cùi dẻo, màu nâu cánh gián.",
              "Lychee dried over wood fires, chewy flesh, cockroach-wing brown."),
            K("CAM", "fresh_fruit", "kg", (3000, 20000), (25_000, 45_000), "Cam Lục Ngạn",
              "Lục Ngạn oranges", "Oranges de Lục Ngạn",
              "Cam đường canh và cam Vinh trồng trên đồi Lục Ngạn."),
            K("HONEY", "honey", "litre", (200, 2000), (200_000, 350_000), "Mật ong hoa vải Lục Ngạn",
              "Lục Ngạn lychee-flower honey", "Miel de fleurs de litchi de Lục Ngạn",
              "Mật ong thu vào mùa vải nở hoa tháng 2–3, màu vàng sáng, thơm mùi vải.",
              "Honey gathered when the lychee trees bloom in February and March."),
            K("JUICE", "juice", "bottle", (2000, 15000), (25_000, 45_000), "Nước ép vải thiều Lục Ngạn",
              "Lục Ngạn lychee juice", "Jus de litchi de Lục Ngạn",
              "Nước vải ép nguyên chất, thanh trùng, chai 330 ml.",
              "Pure pressed lychee juice, pasteurised, 330 ml bottle."),
        ),
    ),
    Cluster(
        BG,
        "Lục Ngạn",
        ("xã Nam Dương", "thị trấn Chũ", "xã Mỹ An"),
        "Mỳ Chũ",
        "mỳ gạo Chũ",
        4,
        (
            K("MY", "rice_noodles", "kg", (2000, 15000), (30_000, 50_000), "Mỳ Chũ Lục Ngạn",
              "Chũ rice noodles", "Nouilles de riz de Chũ",
              "Mỳ làm từ gạo Bao Thai, tráng, thái và phơi nắng, không chất bảo quản.",
              "Noodles from Bao Thai rice, steamed, cut and sun-dried, no preservatives."),
            K("MYL", "rice_noodles", "kg", (500, 4000), (45_000, 70_000), "Mỳ gạo lứt Chũ",
              "Chũ brown-rice noodles", "Nouilles de riz complet de Chũ", "Mỳ gạo lứt đỏ, giàu chất xơ."),
        ),
        mix=(50, 30, 20),
    ),
    Cluster(
        BG,
        "Lục Nam",
        ("xã Huyền Sơn", "xã Lục Sơn", "xã Bình Sơn", "xã Trường Sơn", "xã Cẩm Lý", "xã Nghĩa Phương"),
        "Nông sản",
        "na, gấc và mật ong rừng",
        5,
        (
            K("NA", "fresh_fruit", "kg", (2000, 12000), (35_000, 60_000), "Na dai Lục Nam",
              "Lục Nam custard apple", "Pomme-cannelle de Lục Nam",
              "Na dai trồng trên núi đá vôi Huyền Sơn, quả to, ít hạt."),
            K("GAC", "essential_oils", "bottle", (200, 1500), (180_000, 350_000), "Dầu gấc Lục Nam",
              "Lục Nam gấc oil", "Huile de gấc de Lục Nam",
              "Dầu ép từ màng đỏ quả gấc, giàu beta-caroten, lọ 100 ml.",
              "Oil pressed from gấc fruit arils, rich in beta-carotene, 100 ml."),
            K("HONEY", "honey", "litre", (100, 800), (250_000, 450_000), "Mật ong rừng Lục Nam",
              "Lục Nam forest honey", "Miel de forêt de Lục Nam",
              "Mật ong khai thác ở khu bảo tồn Tây Yên Tử."),
        ),
    ),
    Cluster(
        BG,
        "Yên Thế",
        ("xã Đồng Tâm", "xã Tam Tiến", "xã Phồn Xương", "xã Tân Sỏi", "xã Đồng Hưu", "xã Hồng Kỳ"),
        "Gà đồi",
        "gà đồi Yên Thế và sản phẩm chế biến",
        7,
        (
            K("GA", "meat_products", "kg", (5000, 40000), (80_000, 120_000), "Gà đồi Yên Thế",
              "Yên Thế hill chicken", "Poulet des collines de Yên Thế",
              "Gà nhãn hiệu tập thể Yên Thế nuôi thả đồi, tem truy xuất trên từng con.",
              "Collective-brand Yên Thế chickens raised on the hills, each with a trace tag."),
            K("GAUM", "meat_products", "kg", (300, 2000), (250_000, 320_000), "Gà ủ muối Yên Thế",
              "Yên Thế salt-cured chicken", "Poulet cuit au sel de Yên Thế",
              "Gà đồi ủ muối thảo mộc, đóng gói hút chân không.",
              "Hill chicken baked in herbed salt, vacuum-packed."),
            K("GIOGA", "meat_products", "kg", (200, 1000), (250_000, 320_000), "Giò gà Yên Thế",
              "Yên Thế chicken roll", "Galantine de poulet de Yên Thế",
              "Giò gà gói lá chuối, không hàn the."),
        ),
        mix=(40, 35, 25),
    ),
    Cluster(
        BG,
        "Việt Yên",
        ("xã Vân Hà", "xã Ninh Sơn", "xã Quang Châu", "xã Tiên Sơn"),
        "Rượu",
        "rượu làng Vân",
        5,
        (
            K("RLV", "wine_spirits", "litre", (500, 5000), (120_000, 250_000), "Rượu làng Vân",
              "Vân village rice spirit", "Alcool de riz du village de Vân",
              "Rượu nếp cái hoa vàng nấu bằng men thuốc bắc gia truyền, 40 độ.",
              "Glutinous-rice spirit distilled with an inherited herbal yeast, 40 % ABV."),
            K("RLVB", "wine_spirits", "bottle", (200, 1500), (250_000, 600_000),
              "Rượu làng Vân bình gốm Thổ Hà",
              "Vân village spirit in a Thổ Hà jar", "Alcool du village de Vân en jarre de Thổ Hà",
              "Rượu làng Vân đựng trong bình gốm Thổ Hà, làm quà biếu.",
              "Vân village spirit in a Thổ Hà stoneware jar, made as a gift."),
            K("RNCHV", "wine_spirits", "litre", (300, 2000), (150_000, 300_000),
              "Rượu nếp cái hoa vàng Vân Hà",
              "Vân Hà golden-flower rice spirit", "Alcool de riz gluant de Vân Hà"),
        ),
        mix=(40, 40, 20),
    ),
    Cluster(
        BG,
        "Việt Yên",
        ("xã Tăng Tiến", "xã Vân Hà", "xã Hồng Thái"),
        "Mây tre đan",
        "mây tre đan Tăng Tiến và gốm Thổ Hà",
        4,
        (
            K("MTD", "handicrafts", "piece", (1000, 8000), (30_000, 350_000), "Mây tre đan Tăng Tiến",
              "Tăng Tiến bamboo and rattan ware", "Vannerie de bambou et rotin de Tăng Tiến",
              "Giỏ, khay, hộp đan tay từ tre và mây, hàng xuất khẩu.",
              "Hand-woven bamboo and rattan baskets, trays and boxes, export quality."),
            K("THOHA", "handicrafts", "piece", (200, 2000), (100_000, 1_500_000), "Gốm Thổ Hà",
              "Thổ Hà stoneware", "Grès de Thổ Hà",
              "Gốm sành nâu không men nung ở nhiệt độ cao, làng nghề bốn trăm năm tuổi.",
              "Unglazed brown stoneware fired hot, from a four-hundred-year-old village."),
            K("BGMAY", "furniture", "set", (20, 150), (2_500_000, 8_000_000), "Bàn ghế mây Tăng Tiến",
              "Tăng Tiến rattan furniture", "Mobilier en rotin de Tăng Tiến",
              "Bộ bàn ghế mây bốn ghế, khung tre già."),
            K("DEN", "furniture", "piece", (200, 1500), (150_000, 900_000), "Đèn mây tre Tăng Tiến",
              "Tăng Tiến bamboo lamp", "Lampe en bambou de Tăng Tiến"),
        ),
        mix=(45, 30, 25),
    ),
    Cluster(
        BG,
        "Thành phố Bắc Giang",
        ("phường Đa Mai", "xã Dĩnh Trì", "phường Dĩnh Kế", "xã Song Khê", "xã Tân Mỹ"),
        "Thực phẩm",
        "bún Đa Mai và bánh đa Kế",
        5,
        (
            K("BUN", "rice_noodles", "kg", (3000, 15000), (15_000, 25_000), "Bún Đa Mai",
              "Đa Mai rice vermicelli", "Vermicelles de riz de Đa Mai",
              "Bún tươi làng Đa Mai, sợi nhỏ, dai, giao sáng sớm.",
              "Fresh vermicelli from Đa Mai village, fine and springy, delivered at dawn."),
            K("BDK", "confectionery", "kg", (300, 3000), (60_000, 100_000), "Bánh đa Kế",
              "Kế sesame rice crackers", "Galettes de riz au sésame de Kế",
              "Bánh đa vừng gạo tẻ, nướng than hoa, giòn tan.",
              "Rice and sesame crackers toasted over charcoal, crisp."),
        ),
        mix=(40, 45, 15),
    ),
    Cluster(
        BG,
        "Tân Yên",
        ("xã Phúc Hòa", "xã Cao Thượng", "xã Ngọc Thiện", "xã Liên Chung", "xã Lam Cốt"),
        "Nông sản",
        "vải sớm Phúc Hòa và lạc đỏ",
        4,
        (
            K("VAIS", "fresh_fruit", "kg", (5000, 30000), (30_000, 60_000), "Vải sớm Phúc Hòa",
              "Phúc Hòa early lychee", "Litchi précoce de Phúc Hòa",
              "Vải chín sớm đầu tháng 5, vỏ đỏ tươi, vị ngọt thanh.",
              "Lychees ripening early in May, bright red, delicately sweet."),
            K("LAC", "dried_fruit", "kg", (1000, 6000), (45_000, 70_000), "Lạc đỏ Tân Yên",
              "Tân Yên red peanuts", "Arachides rouges de Tân Yên", "Lạc đỏ hạt nhỏ, phơi khô, tách vỏ."),
        ),
    ),
    Cluster(
        BG,
        "Yên Dũng",
        ("xã Tân Liễu", "xã Lãng Sơn", "xã Tiến Dũng", "xã Đồng Phúc"),
        "Nông sản",
        "rau an toàn và gạo nếp cái hoa vàng",
        3,
        (
            K("RAU", "vegetables", "kg", (3000, 15000), (12_000, 28_000), "Rau an toàn Yên Dũng",
              "Yên Dũng safe vegetables", "Légumes sains de Yên Dũng",
              "Rau cải, su hào, bắp cải trồng theo VietGAP vùng bãi sông Thương."),
            K("NEP", "rice_noodles", "kg", (2000, 10000), (30_000, 45_000), "Gạo nếp cái hoa vàng Yên Dũng",
              "Yên Dũng golden-flower glutinous rice", "Riz gluant « fleur d'or » de Yên Dũng",
              "Gạo nếp hạt tròn, dẻo thơm, dùng đồ xôi và nấu rượu."),
        ),
    ),
    Cluster(
        BG,
        "Sơn Động",
        ("xã An Lạc", "xã Tuấn Đạo", "xã Vân Sơn", "xã Thanh Luận", "xã Vĩnh An"),
        "Dược liệu",
        "mật ong rừng, ba kích và tinh dầu",
        5,
        (
            K("HONEY", "honey", "litre", (100, 800), (300_000, 500_000), "Mật ong rừng Sơn Động",
              "Sơn Động forest honey", "Miel de forêt de Sơn Động",
              "Mật ong từ rừng nguyên sinh Khe Rỗ, màu nâu sẫm.", "Honey from the Khe Rỗ primary forest."),
            K("BK", "herbal_medicine", "kg", (100, 600), (200_000, 380_000), "Ba kích tím Sơn Động",
              "Sơn Động morinda root", "Racine de morinda de Sơn Động"),
            K("TDQ", "essential_oils", "bottle", (300, 2000), (90_000, 200_000), "Tinh dầu quế Sơn Động",
              "Sơn Động cinnamon oil", "Huile essentielle de cannelle de Sơn Động",
              "Tinh dầu chưng cất từ lá và vỏ quế, lọ 50 ml."),
        ),
    ),
    Cluster(
        BG,
        "Sơn Động",
        ("xã An Lạc", "xã Tuấn Mậu"),
        "Du lịch cộng đồng",
        "du lịch cộng đồng Khe Rỗ",
        2,
        (
            K("KRO", "tourism", "guest", (150, 800), (300_000, 700_000), "Du lịch sinh thái Khe Rỗ",
              "Khe Rỗ eco-tourism", "Écotourisme à Khe Rỗ",
              "Rừng nguyên sinh, suối và thác Khe Rỗ, nghỉ nhà sàn người Dao.",
              "Primary forest, streams and falls at Khe Rỗ; nights in Dao stilt houses."),
            K("DCAO", "tourism", "guest", (100, 500), (250_000, 500_000), "Homestay bản Đồng Cao",
              "Đồng Cao village homestay", "Hébergement au village de Đồng Cao"),
        ),
        mix=(50, 50, 0),
    ),
    # ------------------------------------------------------------ Lạng Sơn
    Cluster(
        LS,
        "Thành phố Lạng Sơn",
        ("phường Hoàng Văn Thụ", "phường Đông Kinh", "phường Chi Lăng", "phường Tam Thanh",
        "phường Vĩnh Trại"),
        "Đặc sản Xứ Lạng",
        "lạp sườn, vịt quay, khâu nhục và bánh khảo",
        6,
        (
            K("LAP", "meat_products", "kg", (500, 4000), (250_000, 350_000), "Lạp sườn Lạng Sơn",
              "Lạng Sơn Chinese sausage", "Saucisse chinoise de Lạng Sơn",
              "Lạp sườn thịt nạc vai ướp mác mật và rượu, phơi gió heo may.",
              "Pork-shoulder sausage seasoned with mắc mật and rice spirit, dried in the autumn wind."),
            K("VIT", "meat_products", "kg", (300, 2000), (250_000, 320_000), "Vịt quay Lạng Sơn",
              "Lạng Sơn roast duck", "Canard laqué de Lạng Sơn",
              "Vịt quay lá mắc mật, da giòn màu cánh gián, hút chân không.",
              "Duck roasted with mắc mật leaves, crisp lacquered skin, vacuum-packed."),
            K("KHAU", "meat_products", "kg", (100, 800), (280_000, 400_000), "Khâu nhục Lạng Sơn",
              "Lạng Sơn braised pork belly", "Porc braisé de Lạng Sơn",
              "Thịt ba chỉ hấp khoai môn, món cỗ của người Tày, Nùng."),
            K("KHAO", "confectionery", "kg", (200, 1500), (100_000, 180_000), "Bánh khảo Lạng Sơn",
              "Lạng Sơn rice cake", "Gâteau de riz de Lạng Sơn",
              "Bánh bột nếp rang nhân đường, bánh Tết của người Tày."),
        ),
        mix=(30, 40, 30),
    ),
    Cluster(
        LS,
        "Tràng Định",
        ("thị trấn Thất Khê", "xã Đại Đồng", "xã Kim Đồng", "xã Hùng Sơn", "xã Chí Minh"),
        "Thạch đen",
        "thạch đen và vịt quay Thất Khê",
        5,
        (
            K("THACH", "desserts", "kg", (500, 6000), (60_000, 120_000), "Thạch đen Tràng Định",
              "Tràng Định black grass jelly", "Gelée d'herbe noire de Tràng Định",
              "Cây thạch đen phơi khô, nấu thành thạch giải nhiệt mùa hè.",
              "Dried grass-jelly plant, boiled into a cooling summer jelly."),
            K("BTHACH", "desserts", "kg", (200, 1500), (150_000, 250_000), "Bột thạch đen Tràng Định",
              "Tràng Định grass-jelly powder", "Poudre de gelée d'herbe de Tràng Định",
              "Bột thạch đen pha sẵn, túi 100 g."),
            K("VITTK", "meat_products", "kg", (200, 1500), (250_000, 320_000), "Vịt quay Thất Khê",
              "Thất Khê roast duck", "Canard laqué de Thất Khê"),
        ),
    ),
    Cluster(
        LS,
        "Văn Lãng",
        ("xã Hoàng Văn Thụ", "xã Tân Mỹ", "xã Nhạc Kỳ", "thị trấn Na Sầm"),
        "Hồng",
        "hồng vành khuyên và hồng sấy gió",
        5,
        (
            K("HONG", "fresh_fruit", "kg", (2000, 12000), (35_000, 60_000), "Hồng vành khuyên Văn Lãng",
              "Văn Lãng ring persimmon", "Kaki à anneau de Văn Lãng",
              "Hồng không hạt có vành quanh cuống, giòn ngọt, chín tháng 9–10.",
              "Seedless persimmons with a ring around the stem, crisp and sweet in September–October."),
            K("HSG", "dried_fruit", "kg", (200, 2000), (250_000, 400_000), "Hồng sấy gió Lạng Sơn",
              "Lạng Sơn wind-dried persimmons", "Kakis séchés au vent de Lạng Sơn",
              "Hồng gọt vỏ treo phơi gió lạnh ba tuần theo cách làm Nhật Bản, dẻo, phủ phấn đường.",
              "Peeled persimmons hung three weeks in the cold wind, Japanese-style, sugar-frosted."),
            K("HSD", "dried_fruit", "kg", (200, 1500), (200_000, 320_000), "Hồng sấy dẻo Văn Lãng",
              "Văn Lãng soft-dried persimmons", "Kakis séchés moelleux de Văn Lãng"),
        ),
    ),
    Cluster(
        LS,
        "Văn Quan",
        ("xã Tri Lễ", "xã Vân Mộng", "xã Xuân Mai", "xã Văn An", "xã Tân Đoàn"),
        "Hồi",
        "hoa hồi, tinh dầu hồi và mật ong",
        5,
        (
            K("HOI", "sauces_spices", "kg", (2000, 20000), (70_000, 130_000), "Hoa hồi Lạng Sơn",
              "Lạng Sơn star anise", "Badiane de Lạng Sơn",
              "Hoa hồi tám cánh phơi khô, hàm lượng tinh dầu cao, chỉ dẫn địa lý Lạng Sơn.",
              "Eight-pointed star anise, high in oil, Lạng Sơn geographical indication."),
            K("TDH", "essential_oils", "bottle", (300, 3000), (120_000, 300_000), "Tinh dầu hồi Lạng Sơn",
              "Lạng Sơn star-anise oil", "Huile essentielle de badiane de Lạng Sơn",
              "Tinh dầu hồi chưng cất hơi nước, lọ 100 ml.", "Steam-distilled star-anise oil, 100 ml."),
            K("BHOI", "sauces_spices", "kg", (200, 1500), (150_000, 250_000), "Bột hồi Lạng Sơn",
              "Lạng Sơn ground star anise", "Badiane moulue de Lạng Sơn"),
            K("HONEY", "honey", "litre", (100, 800), (250_000, 400_000), "Mật ong Văn Quan",
              "Văn Quan honey", "Miel de Văn Quan", "Mật ong hoa rừng và hoa hồi."),
        ),
    ),
    Cluster(
        LS,
        "Cao Lộc",
        ("xã Công Sơn", "xã Gia Cát", "xã Hợp Thành", "thị trấn Đồng Đăng", "xã Thụy Hùng"),
        "Rượu Mẫu Sơn",
        "rượu và chè Shan tuyết Mẫu Sơn",
        4,
        (
            K("RMS", "wine_spirits", "litre", (500, 4000), (120_000, 250_000), "Rượu Mẫu Sơn",
              "Mẫu Sơn rice spirit", "Alcool de riz du Mẫu Sơn",
              "Rượu gạo men lá người Dao nấu bằng nước suối núi Mẫu Sơn.",
              "Rice spirit made with the Dao's leaf yeast and Mẫu Sơn spring water."),
            K("SHAN", "tea", "kg", (100, 800), (400_000, 900_000), "Chè Shan tuyết Mẫu Sơn",
              "Mẫu Sơn Shan tuyết tea", "Thé Shan tuyết du Mẫu Sơn",
              "Chè từ cây cổ thụ trên độ cao 1.000 m, búp phủ lông trắng.",
              "Tea from old trees above 1,000 m, with downy white buds."),
        ),
    ),
    Cluster(
        LS,
        "Cao Lộc",
        ("xã Hòa Cư", "xã Xuân Long", "xã Tân Liên"),
        "Mắc ca",
        "hạt mắc ca",
        3,
        (
            K("MACA", "dried_fruit", "kg", (500, 5000), (250_000, 350_000), "Hạt mắc ca Lạng Sơn",
              "Lạng Sơn macadamia nuts", "Noix de macadamia de Lạng Sơn",
              "Mắc ca nứt vỏ sấy chín, vị béo bùi.", "Cracked-shell roasted macadamias, rich and buttery."),
            K("MACAN", "dried_fruit", "kg", (200, 2000), (450_000, 600_000), "Nhân mắc ca tách vỏ Lạng Sơn",
              "Lạng Sơn shelled macadamia", "Noix de macadamia décortiquées de Lạng Sơn",
              "Nhân mắc ca tách vỏ, rang mộc, hộp 500 g."),
            K("DMACA", "essential_oils", "bottle", (100, 800), (250_000, 450_000), "Dầu mắc ca Lạng Sơn",
              "Lạng Sơn macadamia oil", "Huile de macadamia de Lạng Sơn"),
        ),
        mix=(40, 20, 40),
    ),
    Cluster(
        LS,
        "Chi Lăng",
        ("thị trấn Đồng Mỏ", "xã Chi Lăng", "xã Quang Lang", "xã Bằng Mạc", "xã Vân An", "xã Chiến Thắng"),
        "Na",
        "na Chi Lăng",
        5,
        (
            K("NA", "fresh_fruit", "kg", (5000, 30000), (35_000, 70_000), "Na Chi Lăng",
              "Chi Lăng custard apple", "Pomme-cannelle de Chi Lăng",
              "Na trồng trên núi đá vôi, chỉ dẫn địa lý Chi Lăng, thơm và ngọt đậm.",
              "Custard apples from the limestone hills, Chi Lăng geographical indication."),
            K("HONEY", "honey", "litre", (100, 600), (250_000, 400_000), "Mật ong hoa na Chi Lăng",
              "Chi Lăng custard-apple honey", "Miel de pomme-cannelle de Chi Lăng"),
        ),
    ),
    Cluster(
        LS,
        "Bắc Sơn",
        ("xã Vũ Lễ", "xã Chiêu Vũ", "xã Hữu Vĩnh", "thị trấn Bắc Sơn", "xã Long Đống"),
        "Nông sản",
        "quýt vàng, cam và gạo Bao Thai Bắc Sơn",
        5,
        (
            K("QUYT", "fresh_fruit", "kg", (3000, 20000), (35_000, 60_000), "Quýt vàng Bắc Sơn",
              "Bắc Sơn golden tangerines", "Mandarines dorées de Bắc Sơn",
              "Quýt vàng chín cuối năm, vỏ mỏng, thơm, chua ngọt.",
              "Golden tangerines ripening at the year's end, thin-skinned and tangy."),
            K("CAM", "fresh_fruit", "kg", (2000, 12000), (25_000, 45_000), "Cam Bắc Sơn",
              "Bắc Sơn oranges", "Oranges de Bắc Sơn"),
            K("GAO", "rice_noodles", "kg", (3000, 15000), (20_000, 32_000), "Gạo Bao Thai Bắc Sơn",
              "Bắc Sơn Bao Thai rice", "Riz Bao Thai de Bắc Sơn",
              "Gạo Bao Thai hạt nhỏ, cơm mềm, trồng ở thung lũng Bắc Sơn."),
        ),
    ),
    Cluster(
        LS,
        "Bắc Sơn",
        ("xã Quỳnh Sơn", "xã Bắc Sơn"),
        "Du lịch cộng đồng",
        "du lịch cộng đồng thung lũng Bắc Sơn",
        2,
        (
            K("QSON", "tourism", "guest", (200, 1000), (250_000, 550_000), "Du lịch cộng đồng Quỳnh Sơn",
              "Quỳnh Sơn community tourism", "Tourisme communautaire de Quỳnh Sơn",
              "Nhà sàn người Tày giữa thung lũng lúa Bắc Sơn, đêm văn nghệ hát then.",
              "Tày stilt houses in the Bắc Sơn rice valley, with a then-singing evening."),
            K("NATU", "tourism", "guest", (100, 600), (150_000, 350_000), "Tour săn mây Nà Lay",
              "Nà Lay cloud-hunting tour", "Circuit « chasse aux nuages » de Nà Lay"),
        ),
        mix=(60, 40, 0),
    ),
    Cluster(
        LS,
        "Lộc Bình",
        ("xã Mẫu Sơn",),
        "Du lịch cộng đồng",
        "du lịch nghỉ dưỡng núi Mẫu Sơn",
        1,
        (
            K("MSON", "tourism", "guest", (200, 1200), (400_000, 900_000), "Homestay Mẫu Sơn",
              "Mẫu Sơn mountain homestay", "Hébergement chez l'habitant au Mẫu Sơn",
              "Nghỉ trên đỉnh Mẫu Sơn mùa băng tuyết, ăn lợn quay và đào Mẫu Sơn.",
              "Stay on Mẫu Sơn peak in the frost season, with roast pork and Mẫu Sơn peaches."),
        ),
        mix=(100, 0, 0),
    ),
    Cluster(
        LS,
        "Lộc Bình",
        ("thị trấn Na Dương", "xã Khánh Xuân", "xã Tú Mịch", "xã Lợi Bác", "xã Tú Đoạn"),
        "Nông sản",
        "gà sáu ngón và khoai lang",
        4,
        (
            K("GA6", "meat_products", "kg", (300, 2000), (180_000, 260_000), "Gà sáu ngón Lạng Sơn",
              "Lạng Sơn six-toed chicken", "Poulet à six doigts de Lạng Sơn",
              "Giống gà bản địa có sáu ngón, nuôi thả vườn đồi, thịt săn chắc.",
              "A native breed with six toes, raised free on hillside gardens."),
            K("KLANG", "vegetables", "kg", (3000, 20000), (15_000, 25_000), "Khoai lang Lộc Bình",
              "Lộc Bình sweet potatoes", "Patates douces de Lộc Bình", "Khoai lang ruột vàng, bở, ngọt."),
        ),
    ),
    Cluster(
        LS,
        "Đình Lập",
        ("thị trấn Đình Lập", "xã Bính Xá", "xã Bắc Lãng", "xã Kiên Mộc"),
        "Chè",
        "chè Bản Chắt và trà hoa vàng",
        3,
        (
            K("BCHAT", "tea", "kg", (100, 800), (300_000, 600_000), "Chè Bản Chắt Đình Lập",
              "Bản Chắt tea from Đình Lập", "Thé de Bản Chắt (Đình Lập)",
              "Chè Shan tuyết của người Dao Bản Chắt, sao tay."),
            K("THV", "medicinal_wine", "kg", (20, 150), (2_000_000, 5_000_000), "Trà hoa vàng Đình Lập",
              "Đình Lập golden camellia tea", "Thé de camélia doré de Đình Lập"),
        ),
    ),
    Cluster(
        LS,
        "Bình Gia",
        ("xã Hoa Thám", "xã Thiện Thuật", "xã Hồng Phong", "xã Tân Văn"),
        "Thổ cẩm",
        "thổ cẩm Tày và mây tre đan",
        3,
        (
            K("VTC", "textiles", "piece", (100, 600), (200_000, 600_000), "Vải thổ cẩm Tày Bình Gia",
              "Bình Gia Tày brocade", "Brocart tày de Bình Gia",
              "Vải dệt tay trên khung cửi gỗ, hoa văn Tày truyền thống.",
              "Cloth woven on wooden looms with traditional Tày motifs."),
            K("TUITC", "garments", "piece", (200, 1000), (120_000, 300_000), "Túi thổ cẩm Tày",
              "Tày brocade bag", "Sac en brocart tày"),
            K("MTDLS", "handicrafts", "piece", (500, 4000), (40_000, 300_000), "Mây tre đan Bình Gia",
              "Bình Gia bamboo and rattan ware", "Vannerie de Bình Gia"),
        ),
        mix=(60, 40, 0),
    ),
    # ------------------------------------------------------------ other provinces
    Cluster(
        "02",
        "Bắc Quang",
        ("xã Hùng An", "xã Vĩnh Phúc", "xã Tân Quang"),
        "Cam sành",
        "cam sành Hà Giang",
        2,
        (
            K("CAMS", "fresh_fruit", "kg", (5000, 30000), (20_000, 40_000), "Cam sành Hà Giang",
              "Hà Giang king oranges", "Oranges king de Hà Giang",
              "Cam sành vỏ sần, mọng nước, chỉ dẫn địa lý Hà Giang."),
            K("NCAM", "juice", "bottle", (2000, 10000), (25_000, 40_000), "Nước cam sành Hà Giang",
              "Hà Giang orange juice", "Jus d'orange de Hà Giang"),
        ),
    ),
    Cluster(
        "02",
        "Hoàng Su Phì",
        ("xã Thông Nguyên", "xã Nậm Ty", "xã Bản Luốc"),
        "Chè Shan tuyết",
        "chè Shan tuyết cổ thụ",
        3,
        (
            K("SHAN", "tea", "kg", (200, 1500), (400_000, 1_000_000), "Chè Shan tuyết Hoàng Su Phì",
              "Hoàng Su Phì Shan tuyết tea", "Thé Shan tuyết de Hoàng Su Phì",
              "Chè từ cây cổ thụ trăm năm, sản xuất hữu cơ.",
              "Tea from century-old trees, grown organically."),
            K("BTRA", "tea", "kg", (20, 200), (1_200_000, 2_500_000), "Bạch trà Shan tuyết Hà Giang",
              "Hà Giang Shan tuyết white tea", "Thé blanc Shan tuyết de Hà Giang"),
            K("HTSH", "tea", "kg", (100, 600), (500_000, 900_000), "Hồng trà Shan tuyết Hà Giang",
              "Hà Giang Shan tuyết black tea", "Thé noir Shan tuyết de Hà Giang"),
        ),
    ),
    Cluster(
        "02",
        "Quản Bạ",
        ("xã Lùng Tám",),
        "Lanh",
        "vải lanh của người Mông",
        1,
        (
            K("LANH", "textiles", "piece", (100, 500), (250_000, 800_000), "Vải lanh Lùng Tám",
              "Lùng Tám hemp cloth", "Toile de chanvre de Lùng Tám",
              "Vải lanh dệt tay, vẽ sáp ong, nhuộm chàm của phụ nữ Mông.",
              "Hand-woven hemp cloth with beeswax batik and indigo dye, by Hmong women."),
            K("TUIL", "garments", "piece", (200, 800), (150_000, 450_000), "Túi vải lanh Lùng Tám",
              "Lùng Tám hemp bag", "Sac en chanvre de Lùng Tám"),
        ),
        mix=(100, 0, 0),
    ),
    Cluster(
        "02",
        "Đồng Văn",
        ("xã Lũng Cú", "xã Sà Phìn", "thị trấn Phó Bảng"),
        "Mật ong bạc hà",
        "mật ong bạc hà cao nguyên đá",
        2,
        (
            K("MOBH", "honey", "litre", (100, 800), (400_000, 700_000), "Mật ong bạc hà Đồng Văn",
              "Đồng Văn mint-flower honey", "Miel de fleurs de menthe de Đồng Văn",
              "Mật ong hoa bạc hà dại trên cao nguyên đá, chỉ dẫn địa lý Mèo Vạc – Đồng Văn.",
              "Honey from wild mint flowers on the stone plateau."),
            K("BOKHO", "meat_products", "kg", (100, 600), (800_000, 1_100_000), "Thịt bò khô Hà Giang",
              "Hà Giang dried beef", "Bœuf séché de Hà Giang"),
        ),
    ),
    Cluster(
        "14",
        "Mộc Châu",
        ("xã Đông Sang", "xã Tân Lập", "xã Chiềng Hắc", "xã Mường Sang"),
        "Nông sản",
        "chè, mận hậu và bơ Mộc Châu",
        3,
        (
            K("OLONG", "tea", "kg", (500, 5000), (300_000, 700_000), "Chè Ô long Mộc Châu",
              "Mộc Châu oolong tea", "Thé oolong de Mộc Châu"),
            K("MAN", "fresh_fruit", "kg", (5000, 30000), (20_000, 40_000), "Mận hậu Mộc Châu",
              "Mộc Châu plums", "Prunes de Mộc Châu"),
            K("MANS", "dried_fruit", "kg", (300, 2000), (120_000, 200_000), "Mận sấy dẻo Mộc Châu",
              "Mộc Châu soft-dried plums", "Prunes séchées de Mộc Châu"),
        ),
    ),
    Cluster(
        "14",
        "Mai Sơn",
        ("xã Chiềng Ban", "xã Hát Lót", "xã Cò Nòi"),
        "Cà phê",
        "cà phê Arabica Sơn La",
        2,
        (
            K("CAFE", "coffee", "kg", (1000, 8000), (180_000, 320_000), "Cà phê Arabica Sơn La",
              "Sơn La Arabica coffee", "Café arabica de Sơn La",
              "Cà phê chè trồng ở độ cao 800 m, rang mộc, hương trái cây.",
              "Arabica grown at 800 m, plain-roasted, with a fruity aroma."),
        ),
        mix=(50, 0, 50),
    ),
    Cluster(
        "68",
        "Đà Lạt",
        ("phường 7", "phường 12", "xã Xuân Thọ", "xã Tà Nung"),
        "Atiso",
        "atiso và dâu tây sấy Đà Lạt",
        2,
        (
            K("ATISO", "herbal_medicine", "box", (1000, 6000), (60_000, 120_000), "Trà atiso túi lọc Đà Lạt",
              "Đà Lạt artichoke tea bags", "Tisane d'artichaut de Đà Lạt en sachets"),
            K("CAOAT", "herbal_medicine", "kg", (100, 800), (350_000, 600_000), "Cao atiso Đà Lạt",
              "Đà Lạt artichoke extract", "Extrait d'artichaut de Đà Lạt"),
            K("DAU", "dried_fruit", "kg", (200, 1500), (300_000, 450_000), "Dâu tây sấy dẻo Đà Lạt",
              "Đà Lạt dried strawberries", "Fraises séchées de Đà Lạt"),
        ),
        mix=(30, 0, 70),
    ),
    Cluster(
        "68",
        "Đà Lạt",
        ("phường 11", "xã Xuân Trường", "xã Trạm Hành"),
        "Cà phê",
        "cà phê Arabica Cầu Đất",
        2,
        (
            K("CAFE", "coffee", "kg", (1000, 10000), (250_000, 450_000), "Cà phê Arabica Cầu Đất",
              "Cầu Đất Arabica coffee", "Café arabica de Cầu Đất",
              "Cà phê Arabica trồng trên 1.500 m, chế biến ướt.",
              "Arabica grown above 1,500 m, wet-processed."),
        ),
        mix=(30, 0, 70),
    ),
    Cluster(
        "68",
        "Bảo Lộc",
        ("phường Lộc Sơn", "xã Lộc Châu", "xã Đại Lào"),
        "Trà",
        "trà ô long Bảo Lộc",
        1,
        (
            K("OLONG", "tea", "kg", (1000, 8000), (250_000, 600_000), "Trà ô long Bảo Lộc",
              "Bảo Lộc oolong tea", "Thé oolong de Bảo Lộc"),
        ),
        mix=(0, 0, 100),
    ),
    Cluster(
        "83",
        "Mỏ Cày Nam",
        ("thị trấn Mỏ Cày", "xã An Thạnh", "xã Đa Phước Hội"),
        "Kẹo dừa",
        "kẹo dừa, thạch dừa và dầu dừa",
        2,
        (
            K("KEO", "confectionery", "kg", (2000, 15000), (70_000, 120_000), "Kẹo dừa Bến Tre",
              "Bến Tre coconut candy", "Bonbons à la noix de coco de Bến Tre",
              "Kẹo nấu từ nước cốt dừa và mạch nha, gói giấy bóng kính.",
              "Candy cooked from coconut milk and malt, wrapped in cellophane."),
            K("THD", "desserts", "kg", (1000, 8000), (40_000, 70_000), "Thạch dừa Bến Tre",
              "Bến Tre coconut jelly", "Gelée de noix de coco de Bến Tre"),
            K("DDUA", "essential_oils", "bottle", (1000, 6000), (60_000, 120_000),
              "Dầu dừa tinh khiết Bến Tre",
              "Bến Tre virgin coconut oil", "Huile de coco vierge de Bến Tre"),
        ),
        mix=(30, 20, 50),
    ),
    Cluster(
        "83",
        "Chợ Lách",
        ("xã Sơn Định", "xã Vĩnh Thành"),
        "Thủ công mỹ nghệ từ dừa",
        "đồ mỹ nghệ từ gáo dừa",
        1,
        (
            K("GAO", "handicrafts", "piece", (1000, 6000), (30_000, 250_000), "Chén gáo dừa mỹ nghệ",
              "Coconut-shell bowls", "Bols en coque de noix de coco"),
        ),
    ),
    Cluster(
        "19",
        "Thành phố Thái Nguyên",
        ("xã Tân Cương", "xã Phúc Xuân", "xã Phúc Trìu"),
        "Chè",
        "chè Tân Cương",
        3,
        (
            K("TCUONG", "tea", "kg", (500, 5000), (250_000, 600_000), "Chè Tân Cương",
              "Tân Cương green tea", "Thé vert de Tân Cương",
              "Chè móc câu Tân Cương, cánh nhỏ, xoăn, nước xanh, hương cốm.",
              "Hook-shaped Tân Cương tea: small curled leaves, green liquor, young-rice aroma."),
            K("TDINH", "tea", "kg", (50, 300), (1_000_000, 2_500_000), "Trà đinh Tân Cương",
              "Tân Cương nail-bud tea", "Thé « clou » de Tân Cương"),
        ),
    ),
    Cluster(
        "19",
        "Đại Từ",
        ("xã La Bằng", "xã Hoàng Nông"),
        "Chè",
        "chè La Bằng",
        1,
        (
            K("LBANG", "tea", "kg", (500, 3000), (200_000, 450_000), "Chè La Bằng",
              "La Bằng green tea", "Thé vert de La Bằng"),
        ),
        mix=(100, 0, 0),
    ),
    Cluster(
        "17",
        "Cao Phong",
        ("xã Bắc Phong", "xã Tây Phong", "xã Thu Phong"),
        "Cam",
        "cam Cao Phong",
        1,
        (
            K("CAMCP", "fresh_fruit", "kg", (5000, 30000), (25_000, 45_000), "Cam Cao Phong",
              "Cao Phong oranges", "Oranges de Cao Phong"),
            K("NCAM", "juice", "bottle", (2000, 10000), (25_000, 40_000), "Nước ép cam Cao Phong",
              "Cao Phong orange juice", "Jus d'orange de Cao Phong"),
        ),
        mix=(0, 0, 100),
    ),
)

PROVINCE_ABBR = {
    "22": "QN", "24": "BG", "20": "LS", "02": "HG", "14": "SL", "68": "LD", "83": "BT", "19": "TN",
    "17": "HB",
}
LOCALITY_ABBR = {
    "Lục Nam": "LNM", "Thành phố Lạng Sơn": "TP", "Thành phố Bắc Giang": "TP", "Thành phố Thái Nguyên": "TP",
}
# The first two digits of a tax code and the telephone area code of a province.
TAX_PREFIX = {
    "22": "57", "24": "24", "20": "49", "02": "51", "14": "55", "68": "58", "83": "13", "19": "46",
    "17": "54", "01": "01", "79": "03", "31": "02", "27": "23",
}
AREA_CODE = {
    "22": "0203", "24": "0204", "20": "0205", "02": "0219", "14": "0212", "68": "0263", "83": "0275",
    "19": "0208", "17": "0218", "01": "024", "79": "028", "31": "0225", "27": "0222",
}
MOBILE_PREFIXES = ("091", "094", "097", "098", "096", "086", "088", "090", "093", "083", "085", "035", "036")
HIGHLAND = {"20", "02", "14"}
HIGHLAND_LOCALITIES = {"Bình Liêu", "Ba Chẽ", "Tiên Yên", "Sơn Động", "Đình Lập"}

FAMILY_KINH = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Đinh", "Phan",
)
FAMILY_HIGHLAND = (
    "Nông", "Hoàng", "Lương", "Triệu", "Lục", "Vi", "Chu", "Bế", "Lộc", "Hà", "Lý", "Đàm", "Mạc",
)
MIDDLE_MALE = ("Văn", "Văn", "Đức", "Minh", "Quang", "Xuân", "Hữu", "Thanh")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng")
GIVEN_MALE = (
    "Hùng", "Dũng", "Tuấn", "Long", "Hải", "Thắng", "Sơn", "Cường", "Phong", "Khánh",
    "Nam", "Bình", "Quân", "Thành", "Huy", "Toàn", "Vinh", "Hưng", "Trung", "Lâm",
)
GIVEN_FEMALE = (
    "Lan", "Hương", "Mai", "Hoa", "Hạnh", "Nhung", "Thảo", "Hằng", "Yến", "Trang",
    "Linh", "Ngọc", "Huyền", "Phương", "Thủy", "Loan", "Dung", "Vân", "Nga", "Hà",
)
BRAND_WORDS = (
    "Thành Đạt", "Phú Hưng", "Bình Minh", "An Khang", "Tân Tiến", "Hưng Thịnh", "Quang Minh", "Đồng Tâm",
    "Hợp Lực", "Phúc Lộc", "Hoàng Gia", "Phát Đạt", "Thịnh Vượng", "Kim Long", "Nam Phong", "Trường Thịnh",
    "Minh Anh", "Hoa Sơn", "Ngọc Lan", "Bảo Châu", "Việt Hưng", "Đại Phát", "Sao Mai", "Hải Đăng",
)
VILLAGES = (
    "Đồng Tâm", "Tân Lập", "Bình Minh", "Nà Làng", "Khe Vang", "Pác Cáy", "Bản Chuông", "Đồng Quánh",
    "Tân Hợp", "Nà Pá", "Khe Lạc", "Làng Chùa", "Đồng Mé", "Nà Phai", "Bản Piềng", "Trung Tâm",
)
LEGAL_FORMS = (
    "Công ty TNHH MTV ", "Công ty TNHH ", "Công ty CP ", "HTX ", "Hộ kinh doanh ", "Cơ sở sản xuất ",
    "Cơ sở ",
)
# fmt: on

RAW_MATERIAL_GROUPS = {"food", "beverages", "herbal"}

# Standards producers of a category plausibly hold, most common first.
CATEGORY_STANDARDS: dict[str, tuple[str, ...]] = {
    "tea": ("vietgap", "organic", "haccp", "iso22000"),
    "coffee": ("organic", "haccp", "iso22000", "vietgap"),
    "wine_spirits": ("haccp", "iso22000", "iso9001"),
    "juice": ("haccp", "iso22000"),
    "seafood": ("haccp", "iso22000", "vietgap"),
    "fresh_fruit": ("vietgap", "globalgap", "organic"),
    "dried_fruit": ("haccp", "iso22000", "vietgap"),
    "rice_noodles": ("haccp", "iso22000", "vietgap"),
    "meat_products": ("haccp", "vietgap", "iso22000"),
    "honey": ("vietgap", "organic", "haccp"),
    "confectionery": ("haccp", "iso22000", "iso9001"),
    "sauces_spices": ("haccp", "organic", "iso22000"),
    "vegetables": ("vietgap", "organic", "globalgap"),
    "desserts": ("haccp", "iso22000"),
    "herbal_medicine": ("organic", "vietgap", "iso9001"),
    "essential_oils": ("iso9001", "organic"),
    "medicinal_wine": ("haccp", "iso22000", "organic"),
    "textiles": ("iso9001",),
    "garments": ("iso9001",),
    "handicrafts": ("iso9001",),
    "furniture": ("iso9001",),
    "tourism": (),
}

# ---------------------------------------------------------------- buyers


@dataclass(frozen=True)
class Buyer:
    name: str
    buyer_type: str
    province: str
    locality: str
    address: str
    focus: tuple[str, ...]  # categories of its demand lines, 1–4
    premium: bool = False  # wants 4 stars and up


B = Buyer
# fmt: off
BUYERS: tuple[Buyer, ...] = (
    B(FEATURED_BUYER, "supermarket", QN, "Hạ Long", "Số 2 đường 25/4, phường Hồng Gai",
      ("seafood", "tea", "fresh_fruit", "rice_noodles")),
    B("Co.opmart Bắc Giang", "supermarket", BG, "Thành phố Bắc Giang", "Đường Hùng Vương, phường Ngô Quyền",
      ("fresh_fruit", "meat_products", "rice_noodles", "honey")),
    B("Co.opmart Lạng Sơn", "supermarket", LS, "Thành phố Lạng Sơn", "Đường Lê Lợi, phường Vĩnh Trại",
      ("meat_products", "dried_fruit", "desserts")),
    B("WinMart Hạ Long", "supermarket", QN, "Hạ Long", "Khu đô thị Cột 5, phường Hồng Hà",
      ("seafood", "vegetables", "confectionery")),
    B("WinMart Bắc Giang", "supermarket", BG, "Thành phố Bắc Giang",
      "Đường Nguyễn Văn Cừ, phường Hoàng Văn Thụ",
      ("fresh_fruit", "rice_noodles", "wine_spirits")),
    B("WinMart Lạng Sơn", "supermarket", LS, "Thành phố Lạng Sơn", "Đường Bà Triệu, phường Đông Kinh",
      ("meat_products", "sauces_spices", "fresh_fruit")),
    B("GO! Quảng Ninh", "supermarket", QN, "Hạ Long", "Phường Bạch Đằng",
      ("seafood", "fresh_fruit", "tea", "meat_products")),
    B("GO! Bắc Giang", "supermarket", BG, "Thành phố Bắc Giang", "Đường Xương Giang, phường Ngô Quyền",
      ("fresh_fruit", "rice_noodles", "honey", "dried_fruit")),
    B("MM Mega Market Hạ Long", "supermarket", QN, "Hạ Long", "Phường Hồng Hải",
      ("seafood", "vegetables", "sauces_spices")),
    B("AEON Mall Hải Phòng Lê Chân", "supermarket", "31", "Lê Chân",
      "Số 10 đường Võ Nguyên Giáp, quận Lê Chân",
      ("tea", "dried_fruit", "confectionery", "fresh_fruit")),
    B("BRG Mart Hà Nội", "supermarket", "01", "Hoàn Kiếm", "Số 120 Hàng Trống, quận Hoàn Kiếm",
      ("fresh_fruit", "rice_noodles", "honey")),
    B("Bách hóa Xanh", "supermarket", "79", "Thủ Đức", "Khu công nghệ cao, thành phố Thủ Đức",
      ("dried_fruit", "sauces_spices", "rice_noodles")),
    B("Khách sạn Mường Thanh Grand Hạ Long", "hotel", QN, "Hạ Long", "Đường Hạ Long, phường Bãi Cháy",
      ("seafood", "tea", "fresh_fruit", "wine_spirits")),
    B("Vinpearl Resort & Spa Hạ Long", "hotel", QN, "Hạ Long", "Đảo Rều, phường Bãi Cháy",
      ("seafood", "fresh_fruit", "tea", "handicrafts"), premium=True),
    B("Novotel Hạ Long Bay", "hotel", QN, "Hạ Long", "Đường Hạ Long, phường Bãi Cháy",
      ("seafood", "coffee", "honey"), premium=True),
    B("Wyndham Legend Hạ Long", "hotel", QN, "Hạ Long", "Số 12 đường Hạ Long, phường Bãi Cháy",
      ("seafood", "tea", "vegetables"), premium=True),
    B("Khách sạn Sài Gòn Hạ Long", "hotel", QN, "Hạ Long", "Đường Hạ Long, phường Bãi Cháy",
      ("seafood", "rice_noodles")),
    B("Khách sạn Sài Gòn Móng Cái", "hotel", QN, "Móng Cái", "Phường Trà Cổ",
      ("seafood", "fresh_fruit")),
    B("Khách sạn Mường Thanh Grand Bắc Giang", "hotel", BG, "Thành phố Bắc Giang", "Phường Trần Phú",
      ("meat_products", "fresh_fruit", "wine_spirits")),
    B("Khách sạn Mường Thanh Lạng Sơn", "hotel", LS, "Thành phố Lạng Sơn", "Phường Chi Lăng",
      ("meat_products", "tea", "wine_spirits")),
    B("Khách sạn Sông Kỳ Cùng", "hotel", LS, "Thành phố Lạng Sơn", "Phường Hoàng Văn Thụ",
      ("desserts", "meat_products")),
    B("Khách sạn Meliá Hà Nội", "hotel", "01", "Hoàn Kiếm", "Số 44B Lý Thường Kiệt, quận Hoàn Kiếm",
      ("tea", "honey", "coffee"), premium=True),
    B("Nhà hàng Hồng Hạnh Hạ Long", "restaurant", QN, "Hạ Long", "Phường Bãi Cháy",
      ("seafood", "wine_spirits")),
    B("Nhà hàng Cua Vàng Hạ Long", "restaurant", QN, "Hạ Long", "Phường Hồng Gai",
      ("seafood", "vegetables")),
    B("Nhà hàng Chả mực Bãi Cháy", "restaurant", QN, "Hạ Long", "Phường Bãi Cháy",
      ("seafood", "sauces_spices")),
    B("Nhà hàng Vịt quay Kỳ Lừa", "restaurant", LS, "Thành phố Lạng Sơn", "Phường Hoàng Văn Thụ",
      ("meat_products", "vegetables", "wine_spirits")),
    B("Nhà hàng Đông Kinh", "restaurant", LS, "Thành phố Lạng Sơn", "Phường Đông Kinh",
      ("meat_products", "desserts")),
    B("Nhà hàng Gà đồi Yên Thế", "restaurant", BG, "Thành phố Bắc Giang", "Phường Dĩnh Kế",
      ("meat_products", "wine_spirits", "rice_noodles")),
    B("Nhà hàng Làng Vân", "restaurant", BG, "Việt Yên", "Xã Vân Hà",
      ("wine_spirits", "meat_products")),
    B("Nhà hàng Quán Ăn Ngon", "restaurant", "01", "Hoàn Kiếm", "Phố Phan Bội Châu, quận Hoàn Kiếm",
      ("rice_noodles", "sauces_spices", "seafood")),
    B("Nhà hàng Sen Tây Hồ", "restaurant", "01", "Tây Hồ", "Đường Lạc Long Quân, quận Tây Hồ",
      ("seafood", "fresh_fruit", "desserts")),
    B("Bếp ăn tập thể KCN Đình Trám", "canteen", BG, "Việt Yên", "Khu công nghiệp Đình Trám",
      ("rice_noodles", "meat_products", "vegetables")),
    B("Bếp ăn tập thể KCN Quang Châu", "canteen", BG, "Việt Yên", "Khu công nghiệp Quang Châu",
      ("rice_noodles", "meat_products", "vegetables", "fresh_fruit")),
    B("Bếp ăn tập thể KCN Vân Trung", "canteen", BG, "Việt Yên", "Khu công nghiệp Vân Trung",
      ("meat_products", "vegetables")),
    B("Bếp ăn Công ty Than Hà Lầm – TKV", "canteen", QN, "Hạ Long", "Phường Hà Lầm",
      ("meat_products", "seafood", "rice_noodles", "vegetables")),
    B("Bếp ăn Công ty Than Mạo Khê – TKV", "canteen", QN, "Đông Triều", "Phường Mạo Khê",
      ("meat_products", "vegetables")),
    B("Bếp ăn tập thể KCN Cái Lân", "canteen", QN, "Hạ Long", "Khu công nghiệp Cái Lân, phường Giếng Đáy",
      ("rice_noodles", "seafood")),
    B("Bếp ăn tập thể KCN Đồng Bành", "canteen", LS, "Chi Lăng", "Khu công nghiệp Đồng Bành",
      ("rice_noodles", "meat_products", "vegetables")),
    B("Bếp ăn bán trú Trường Tiểu học Kim Đồng", "school_kitchen", QN, "Hạ Long", "Phường Hồng Hải",
      ("rice_noodles", "vegetables", "meat_products")),
    B("Trường PTDT Nội trú tỉnh Quảng Ninh", "school_kitchen", QN, "Hạ Long", "Phường Hà Khẩu",
      ("rice_noodles", "meat_products", "vegetables", "fresh_fruit")),
    B("Trường PTDT Bán trú THCS Bình Liêu", "school_kitchen", QN, "Bình Liêu", "Thị trấn Bình Liêu",
      ("rice_noodles", "meat_products")),
    B("Trường THCS Lê Quý Đôn Bắc Giang", "school_kitchen", BG, "Thành phố Bắc Giang",
      "Phường Trần Nguyên Hãn",
      ("vegetables", "fresh_fruit", "rice_noodles")),
    B("Trường Mầm non Hoa Sen Lạng Sơn", "school_kitchen", LS, "Thành phố Lạng Sơn", "Phường Tam Thanh",
      ("vegetables", "fresh_fruit", "meat_products")),
    B("Trường Tiểu học Hoàng Văn Thụ", "school_kitchen", LS, "Thành phố Lạng Sơn", "Phường Hoàng Văn Thụ",
      ("rice_noodles", "vegetables")),
    B("Bưu điện tỉnh Quảng Ninh (Postmart)", "distributor", QN, "Hạ Long", "Phường Hồng Gai",
      ("seafood", "tea", "honey", "dried_fruit")),
    B("Viettel Post Bắc Giang (Voso)", "distributor", BG, "Thành phố Bắc Giang", "Phường Hoàng Văn Thụ",
      ("fresh_fruit", "dried_fruit", "rice_noodles")),
    B("Công ty CP Thương mại Hạ Long Xanh", "distributor", QN, "Hạ Long", "Phường Cao Xanh",
      ("seafood", "vegetables", "fresh_fruit")),
    B("Công ty TNHH Phân phối Đặc sản Vùng miền", "distributor", "01", "Cầu Giấy",
      "Phường Dịch Vọng, quận Cầu Giấy",
      ("tea", "honey", "dried_fruit", "sauces_spices")),
    B("Công ty CP Nông sản Kinh Bắc", "distributor", "27", "Từ Sơn", "Phường Đình Bảng, thành phố Từ Sơn",
      ("fresh_fruit", "rice_noodles", "meat_products")),
    B("Công ty TNHH Đặc sản Xứ Lạng", "distributor", LS, "Thành phố Lạng Sơn", "Phường Đông Kinh",
      ("meat_products", "dried_fruit", "desserts", "sauces_spices")),
    B("Công ty CP Chuỗi Thực phẩm Sạch Hà Nội", "distributor", "01", "Long Biên",
      "Phường Bồ Đề, quận Long Biên",
      ("vegetables", "meat_products", "fresh_fruit")),
    B("Công ty TNHH Phân phối Nông sản Sài Gòn", "distributor", "79", "Quận 7", "Phường Tân Phong, quận 7",
      ("dried_fruit", "tea", "coffee")),
    B("Công ty CP Xuất nhập khẩu Nông sản Bắc Giang", "exporter", BG, "Lục Ngạn", "Thị trấn Chũ",
      ("fresh_fruit", "dried_fruit"), premium=True),
    B("Công ty TNHH Xuất khẩu Thủy sản Quảng Ninh", "exporter", QN, "Vân Đồn", "Thị trấn Cái Rồng",
      ("seafood",), premium=True),
    B("Công ty CP Xuất nhập khẩu Lạng Sơn", "exporter", LS, "Cao Lộc", "Thị trấn Đồng Đăng",
      ("sauces_spices", "essential_oils", "dried_fruit"), premium=True),
    B("Công ty TNHH Thương mại Quốc tế Móng Cái", "exporter", QN, "Móng Cái", "Phường Ka Long",
      ("fresh_fruit", "seafood", "rice_noodles")),
    B("Công ty CP Xuất khẩu Thủ công mỹ nghệ Việt", "exporter", "01", "Long Biên",
      "Phường Phúc Đồng, quận Long Biên",
      ("handicrafts", "furniture", "textiles")),
    B("Công ty CP Trái cây Xuất khẩu Phương Nam", "exporter", "79", "Thủ Đức",
      "Phường Linh Trung, thành phố Thủ Đức",
      ("fresh_fruit", "dried_fruit", "coffee"), premium=True),
    B("Trung tâm Giới thiệu sản phẩm OCOP Quảng Ninh", "souvenir_shop", QN, "Hạ Long", "Phường Hồng Hải",
      ("tea", "honey", "handicrafts", "dried_fruit")),
    B("Cửa hàng OCOP Bãi Cháy", "souvenir_shop", QN, "Hạ Long", "Phường Bãi Cháy",
      ("seafood", "confectionery", "handicrafts")),
    B("Cửa hàng quà tặng Yên Tử", "souvenir_shop", QN, "Uông Bí", "Xã Thượng Yên Công",
      ("herbal_medicine", "medicinal_wine", "handicrafts")),
    B("Cửa hàng OCOP Cảng hàng không Vân Đồn", "souvenir_shop", QN, "Vân Đồn", "Xã Đoàn Kết",
      ("tea", "seafood", "handicrafts", "medicinal_wine"), premium=True),
    B("Cửa hàng đặc sản Xứ Lạng Kỳ Lừa", "souvenir_shop", LS, "Thành phố Lạng Sơn",
      "Chợ Kỳ Lừa, phường Hoàng Văn Thụ",
      ("dried_fruit", "desserts", "sauces_spices", "textiles")),
    B("Cửa hàng OCOP Bắc Giang", "souvenir_shop", BG, "Thành phố Bắc Giang", "Phường Ngô Quyền",
      ("dried_fruit", "honey", "wine_spirits")),
    B("Cửa hàng lưu niệm Sun World Hạ Long", "souvenir_shop", QN, "Hạ Long", "Phường Bãi Cháy",
      ("handicrafts", "garments", "confectionery")),
    B("Vietnam Airlines Caterers (VACS)", "airline_catering", "01", "Sóc Sơn",
      "Cảng hàng không quốc tế Nội Bài",
      ("tea", "dried_fruit", "juice"), premium=True),
    B("Công ty CP Suất ăn Hàng không Nội Bài (NCS)", "airline_catering", "01", "Sóc Sơn",
      "Cảng hàng không quốc tế Nội Bài", ("confectionery", "coffee", "fresh_fruit", "tea"), premium=True),
    B("Vietnam Airlines Caterers – chi nhánh Tân Sơn Nhất", "airline_catering", "79", "Tân Bình",
      "Cảng hàng không quốc tế Tân Sơn Nhất", ("dried_fruit", "tea", "coffee"), premium=True),
    B("Công ty Lữ hành Hạ Long Travel", "other", QN, "Hạ Long", "Phường Bãi Cháy",
      ("tourism", "handicrafts")),
    B("Công ty Du lịch Xứ Lạng", "other", LS, "Thành phố Lạng Sơn", "Phường Chi Lăng", ("tourism",)),
    B("Công ty Lữ hành Kinh Bắc Travel", "other", BG, "Thành phố Bắc Giang", "Phường Trần Phú", ("tourism",)),
    B("Công đoàn Than – Khoáng sản Việt Nam", "other", QN, "Hạ Long", "Phường Hồng Gai",
      ("tea", "honey", "medicinal_wine")),
    B("Sàn TMĐT ocopquangninh.com.vn", "other", QN, "Hạ Long", "Phường Hồng Hà",
      ("seafood", "tea", "dried_fruit", "honey")),
)
# fmt: on

# Monthly volume and unit of one demand line for a buyer of scale 1 (a mid-sized restaurant).
DEMAND_BASE: dict[str, tuple[float, str]] = {
    "tea": (20, "kg"),
    "coffee": (30, "kg"),
    "wine_spirits": (50, "litre"),
    "juice": (300, "bottle"),
    "seafood": (100, "kg"),
    "fresh_fruit": (300, "kg"),
    "dried_fruit": (50, "kg"),
    "rice_noodles": (200, "kg"),
    "meat_products": (150, "kg"),
    "honey": (20, "litre"),
    "confectionery": (50, "kg"),
    "sauces_spices": (50, "kg"),
    "vegetables": (300, "kg"),
    "desserts": (30, "kg"),
    "herbal_medicine": (20, "kg"),
    "essential_oils": (100, "bottle"),
    "medicinal_wine": (20, "kg"),
    "textiles": (30, "piece"),
    "garments": (50, "piece"),
    "handicrafts": (150, "piece"),
    "furniture": (10, "piece"),
    "tourism": (80, "guest"),
}
TYPE_SCALE = {
    "supermarket": 10.0,
    "hotel": 1.5,
    "restaurant": 0.6,
    "canteen": 8.0,
    "school_kitchen": 2.5,
    "distributor": 20.0,
    "exporter": 60.0,
    "souvenir_shop": 1.0,
    "airline_catering": 15.0,
    "other": 2.0,
}
BUYER_DESCRIPTIONS = {
    "supermarket": "Siêu thị bán lẻ tổng hợp, có quầy hàng OCOP và đặc sản địa phương.",
    "hotel": "Khách sạn phục vụ khách du lịch và hội nghị, dùng đặc sản OCOP trong bếp và làm quà tặng.",
    "restaurant": "Nhà hàng đặc sản địa phương, nhập nguyên liệu hằng tuần.",
    "canteen": "Bếp ăn tập thể phục vụ công nhân ba ca, cần nguồn thực phẩm an toàn, ổn định.",
    "school_kitchen": "Bếp ăn bán trú cho học sinh, ưu tiên thực phẩm có chứng nhận an toàn.",
    "distributor": "Doanh nghiệp phân phối sản phẩm OCOP qua kênh bán lẻ và thương mại điện tử.",
    "exporter": "Doanh nghiệp xuất khẩu nông sản, thủy sản và hàng thủ công.",
    "souvenir_shop": "Điểm bán quà tặng và sản phẩm OCOP cho khách du lịch.",
    "airline_catering": "Đơn vị cung cấp suất ăn và đồ uống trên các chuyến bay.",
    "other": "Đơn vị có nhu cầu sản phẩm, dịch vụ OCOP cho khách và hội viên.",
}
DEMAND_NOTES = {
    "supermarket": ("Giao hàng về kho tổng hằng tuần, cần hóa đơn VAT.", "Hàng có tem truy xuất và mã vạch."),
    "hotel": ("Giao hai lần mỗi tuần, hàng tươi trong ngày.", "Dùng làm quà tặng khách đoàn."),
    "restaurant": ("Giao sáng sớm, số lượng tăng dịp lễ Tết.", "Cần nguồn hàng ổn định quanh năm."),
    "canteen": ("Suất ăn ca cho khoảng 3.000 công nhân.", "Giao hằng ngày trước 7 giờ sáng."),
    "school_kitchen": (
        "Thực đơn bán trú theo tuần, cần giấy kiểm nghiệm.",
        "Ưu tiên nhà cung cấp gần trường.",
    ),
    "distributor": ("Đóng gói theo quy cách bán lẻ, thanh toán 30 ngày.", "Bán trên sàn thương mại điện tử."),
    "exporter": ("Đóng gói theo yêu cầu thị trường nhập khẩu.", "Cần mã số vùng trồng hoặc cơ sở đóng gói."),
    "souvenir_shop": ("Bao bì đẹp, có thông tin tiếng Anh.", "Ưu tiên sản phẩm 4 sao làm quà tặng."),
    "airline_catering": (
        "Đóng gói khẩu phần nhỏ, hạn dùng tối thiểu 6 tháng.",
        "Cần chứng nhận an toàn thực phẩm.",
    ),
    "other": ("Đặt hàng theo đoàn khách.", "Quà tặng hội viên dịp lễ Tết."),
}


# ---------------------------------------------------------------- what build_demo returns


@dataclass
class ProducerSpec:
    organisation: dict[str, Any]  # keyword arguments of services.create_organisation
    products: list[dict[str, Any]]  # keyword arguments of services.create_product


@dataclass
class BuyerSpec:
    organisation: dict[str, Any]
    demand: list[dict[str, Any]]  # keyword arguments of services.save_demand_line


@dataclass
class DemoData:
    seed: int
    today: date
    producers: list[ProducerSpec]
    buyers: list[BuyerSpec]

    def signature(self) -> list[str]:
        """Every generated name and code, in order: equal lists mean equal data sets."""
        out: list[str] = []
        for producer in self.producers:
            org = producer.organisation
            out.append(f"{org['name']}|{org['province_code']}|{org.get('tax_code')}|{org.get('phone')}")
            out.extend(
                f"  {p['name_vi']}|{p['stars']}|{p['certificate_date']}|{p.get('traceability_code')}"
                for p in producer.products
            )
        for buyer in self.buyers:
            out.append(f"{buyer.organisation['name']}|{buyer.organisation['buyer_type']}")
            out.extend(
                f"  {line['category']}|{line['monthly_volume']}|{line['unit']}" for line in buyer.demand
            )
        return out


@dataclass
class Summary:
    seed: int
    producers: int = 0
    products: int = 0
    certified: int = 0
    expired: int = 0
    not_certified_stars: int = 0
    producers_by_province: Counter = field(default_factory=Counter)
    products_by_group: Counter = field(default_factory=Counter)
    buyers_by_type: Counter = field(default_factory=Counter)
    demand_lines: int = 0
    logins: tuple[DemoLogin, ...] = DEMO_LOGINS
    event: Any = None  # app.events.demo.EventSummary

    @property
    def buyers(self) -> int:
        return sum(self.buyers_by_type.values())

    def describe(self) -> str:
        provinces = ", ".join(
            f"{PROVINCES[code]} {count}" for code, count in self.producers_by_province.most_common()
        )
        groups = ", ".join(f"{group} {count}" for group, count in sorted(self.products_by_group.items()))
        buyer_types = ", ".join(f"{kind} {self.buyers_by_type[kind]}" for kind in BUYER_TYPES)
        return "\n".join(
            [
                f"Demo data loaded (seed {self.seed}):",
                f"  {self.producers} producers ({provinces})",
                f"  {self.products} products ({groups})",
                f"    {self.certified} certified, {self.expired} with an expired certificate, "
                f"{self.not_certified_stars} rated below 3 stars",
                f"  {self.buyers} buyers ({buyer_types})",
                f"  {self.demand_lines} demand lines",
                *([self.event.describe()] if self.event is not None else []),
                describe_logins(),
            ]
        )


# ---------------------------------------------------------------- generation


def _nice(value: float) -> float:
    """Two significant figures: 1234.5 -> 1200, 87.3 -> 87, 3.46 -> 3.5."""
    if value <= 0:
        return 0
    step = 10 ** (math.floor(math.log10(value)) - 1)
    rounded = round(value / step) * step
    return int(rounded) if rounded >= 10 else round(rounded, 1)


def _vnd(value: float) -> int:
    step = 5_000 if value >= 100_000 else 1_000
    return max(step, round(value / step) * step)


def _abbr(locality: str) -> str:
    return LOCALITY_ABBR.get(locality) or "".join(word[0] for word in fold(locality).upper().split())


def _bare(commune: str) -> str:
    """'xã Quảng Long' -> 'Quảng Long'."""
    for prefix in ("thị trấn ", "phường ", "xã "):
        if commune.startswith(prefix):
            return commune[len(prefix) :]
    return commune


class _Generator:
    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today
        self.org_names: set[str] = set()
        self.product_names: set[str] = set()
        self.tax_codes: set[str] = set()
        self.trace_counters: Counter = Counter()

    # -------------------------------------------------------- people and contacts

    def person(self, province: str, locality: str = "") -> str:
        rng = self.rng
        highland = (province in HIGHLAND or locality in HIGHLAND_LOCALITIES) and rng.random() < 0.6
        family = rng.choice(FAMILY_HIGHLAND if highland else FAMILY_KINH)
        if rng.random() < 0.5:
            return f"{family} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"
        return f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"

    def phone(self, province: str, landline: bool) -> str:
        rng = self.rng
        if landline and province in AREA_CODE:
            area = AREA_CODE[province]
            digits = 8 if len(area) == 3 else 7
            number = f"3{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
            return f"{area} {number[: digits - 4]} {number[digits - 4 :]}"
        head = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10)}"
        return f"{head} {rng.randrange(1000):03d} {rng.randrange(1000):03d}"

    def tax_code(self, province: str) -> str:
        prefix = TAX_PREFIX.get(province, "01")
        while True:
            code = f"{prefix}{self.rng.randrange(10**8):08d}"
            if code not in self.tax_codes:
                self.tax_codes.add(code)
                return code

    def email(self, name: str) -> str:
        """A contact address under the demo domain (never a real mailbox)."""
        for prefix in LEGAL_FORMS:
            name = name.removeprefix(prefix)
        local = "".join(c for c in fold(name) if c.isascii() and c.isalnum())[:28] or "lienhe"
        return f"{local}@{DEMO_DOMAIN}"

    def address(self, commune: str, locality: str, province: str) -> str:
        rng = self.rng
        if commune.startswith("phường"):
            street = f"Số {rng.randint(2, 260)}, tổ {rng.randint(1, 12)}, khu {rng.randint(1, 8)}"
        elif commune.startswith("thị trấn"):
            street = f"Khu {rng.randint(1, 9)}"
        else:
            street = f"Thôn {rng.choice(VILLAGES)}" if rng.random() < 0.6 else f"Thôn {rng.randint(1, 12)}"
        return f"{street}, {commune}, {locality}, {PROVINCES[province]}"

    # -------------------------------------------------------- producers

    def unique_org_name(self, candidates: list[str]) -> str:
        for name in candidates:
            if name not in self.org_names:
                self.org_names.add(name)
                return name
        base, n = candidates[0], 2
        while f"{base} {n}" in self.org_names:
            n += 1
        self.org_names.add(f"{base} {n}")
        return f"{base} {n}"

    def producer_name(self, cluster: Cluster, kind: str, commune: str) -> tuple[str, str]:
        """(organisation name, brand used to tell its products apart)."""
        rng = self.rng
        names: list[tuple[str, str]] = []
        for _ in range(6):
            if kind == "household":
                brand = f"{rng.choice(GIVEN_FEMALE + GIVEN_MALE)} {rng.choice(GIVEN_FEMALE + GIVEN_MALE)}"
                if brand.split()[0] == brand.split()[1]:
                    continue
                pattern = rng.choice(
                    ("Cơ sở {trade} {brand}", "Hộ kinh doanh {brand}", "Cơ sở sản xuất {brand}")
                )
                name = pattern.format(trade=cluster.trade, brand=brand)
            else:
                brand = _bare(commune) if rng.random() < 0.45 else rng.choice(BRAND_WORDS)
                where = f" {cluster.locality}" if brand != cluster.locality and rng.random() < 0.6 else ""
                if kind == "cooperative":
                    name = f"HTX {cluster.trade} {brand}{where}"
                else:
                    pattern = rng.choice(
                        (
                            "Công ty TNHH {trade} {brand}{where}",
                            "Công ty CP {trade} {brand}{where}",
                            "Công ty TNHH MTV {brand}{where}",
                        )
                    )
                    name = pattern.format(trade=cluster.trade, brand=brand, where=where)
            names.append((name.replace("Thành phố ", "TP "), brand))
        if not names:
            names.append((f"Cơ sở {cluster.trade} {cluster.locality}", cluster.locality))
        chosen = self.unique_org_name([name for name, _ in names])
        brand = next((b for name, b in names if name == chosen), names[0][1])
        return chosen, brand

    def describe_producer(self, cluster: Cluster, kind: str, commune: str) -> str:
        rng = self.rng
        place = f"{commune}, {cluster.locality}"
        if kind == "cooperative":
            farming = any(k.group in RAW_MATERIAL_GROUPS for k in cluster.kinds)
            area = f"; vùng nguyên liệu {rng.randint(3, 80)} ha" if farming else ""
            verb = "làm" if cluster.kinds[0].group == "tourism" else "sản xuất"
            return f"Hợp tác xã {rng.randint(7, 60)} thành viên, {verb} {cluster.what} tại {place}{area}."
        if kind == "enterprise":
            return (
                f"Doanh nghiệp chế biến và phân phối {cluster.what}, nhà xưởng tại {place}, "
                f"{rng.randint(15, 180)} lao động."
            )
        return f"Hộ sản xuất {cluster.what} quy mô gia đình tại {place}."

    def stars(self, kind: str) -> int:
        r = self.rng.random()
        if r < 0.06:
            return self.rng.choice((1, 2, 2))
        if r < 0.62:
            return 3
        if r < 0.95 or kind == "household":
            return 4
        return 5

    def standards(self, category: str, kind: str) -> list[str]:
        rng = self.rng
        candidates = list(CATEGORY_STANDARDS[category])
        if not candidates:
            return []
        if kind == "household":
            count = 1 if rng.random() < 0.35 else 0
        elif kind == "cooperative":
            count = rng.choices((0, 1, 2), weights=(30, 45, 25))[0]
        else:
            count = rng.choices((1, 2, 3), weights=(40, 40, 20))[0]
        if len(candidates) == 1 and kind != "enterprise":
            count = min(count, 1 if rng.random() < 0.2 else 0)
        chosen: list[str] = []
        weights = [len(candidates) - i + 1 for i in range(len(candidates))]
        while candidates and len(chosen) < count:
            pick = rng.choices(range(len(candidates)), weights=weights)[0]
            chosen.append(candidates.pop(pick))
            weights.pop(pick)
        return sorted(chosen)

    def product(self, cluster: Cluster, kind_of_producer: str, kind: Kind, brand: str) -> dict[str, Any]:
        rng = self.rng
        name_vi, name_en, name_fr = kind.vi, kind.en, kind.fr
        if name_vi in self.product_names:
            name_vi, name_en, name_fr = f"{kind.vi} {brand}", f"{kind.en} ({brand})", f"{kind.fr} ({brand})"
        n = 2
        while name_vi in self.product_names:
            name_vi, n = f"{kind.vi} {brand} {n}", n + 1
        self.product_names.add(name_vi)

        factor = {
            "household": rng.uniform(0.15, 0.4),
            "cooperative": rng.uniform(0.6, 1.4),
            "enterprise": rng.uniform(1.5, 4.0),
        }[kind_of_producer]
        capacity, unit = _nice(rng.uniform(*kind.capacity) * factor), kind.unit
        if unit == "kg" and capacity >= 20_000:
            capacity, unit = _nice(capacity / 1000), "tonne"
        low, high = kind.price
        price_min = _vnd(low + (high - low) * rng.uniform(0.0, 0.45))
        price_max = max(price_min, _vnd(price_min + (high - low) * rng.uniform(0.15, 0.55)))
        stars = self.stars(kind_of_producer)
        issued = self.today - timedelta(days=rng.randint(20, 4 * 365))
        values: dict[str, Any] = {
            "name_vi": name_vi,
            "name_en": name_en,
            "name_fr": name_fr if rng.random() < 0.85 else None,
            "description_vi": kind.desc_vi
            or f"{kind.vi}: {cluster.what}, đặc sản {cluster.locality} ({PROVINCES[cluster.province]}).",
            "description_en": kind.desc_en,
            "ocop_group": kind.group,
            "category": kind.category,
            "stars": stars,
            "certificate_date": issued,
            "certificate_expiry": services.default_expiry(issued),
            "standards": self.standards(kind.category, kind_of_producer),
            "capacity_per_month": capacity,
            "capacity_unit": unit,
            "price_min": price_min,
            "price_max": price_max,
            "price_unit": kind.price_unit or kind.unit,
            "traceability_code": None,
        }
        if rng.random() < 0.08:
            values["price_min"] = values["price_max"] = values["price_unit"] = None
        if rng.random() < 0.85:
            prefix = f"{PROVINCE_ABBR[cluster.province]}-{_abbr(cluster.locality)}-{kind.key}"
            self.trace_counters[prefix] += 1
            values["traceability_code"] = f"{prefix}-{self.trace_counters[prefix]:04d}"
        return values

    def producer(self, cluster: Cluster, also: set[int]) -> tuple[ProducerSpec, set[int]]:
        """A producer of `cluster` and the indexes of the kinds it makes (`also` among them)."""
        rng = self.rng
        kind = rng.choices(list(PRODUCER_KINDS), weights=cluster.mix)[0]
        commune = rng.choice(cluster.communes)
        name, brand = self.producer_name(cluster, kind, commune)
        organisation = {
            "name": name,
            "producer_kind": kind,
            "province_code": cluster.province,
            "commune": cluster.locality,
            "address": self.address(commune, cluster.locality, cluster.province),
            "contact_name": self.person(cluster.province, cluster.locality),
            "phone": self.phone(cluster.province, landline=kind == "enterprise" and rng.random() < 0.6),
            "email": self.email(name) if kind != "household" or rng.random() < 0.3 else None,
            "tax_code": None,
            "description": self.describe_producer(cluster, kind, commune),
        }
        if kind == "enterprise" or (kind == "cooperative" and rng.random() < 0.85) or rng.random() < 0.4:
            organisation["tax_code"] = self.tax_code(cluster.province)
        low, high = {"household": (1, 2), "cooperative": (2, 3), "enterprise": (2, 4)}[kind]
        count = min(len(cluster.kinds), rng.randint(low, high))
        # The first kind of a cluster is its flagship: most producers make it.
        indexes = [0] if rng.random() < 0.7 else []
        others = [i for i in range(len(cluster.kinds)) if i not in indexes]
        indexes += rng.sample(others, count - len(indexes))
        made = set(indexes) | also
        products = [self.product(cluster, kind, cluster.kinds[i], brand) for i in sorted(made)]
        return ProducerSpec(organisation, products), made

    def featured_producer(self) -> ProducerSpec:
        """The exhibitor login's cooperative: several certified Hải Hà teas."""
        cluster = CLUSTERS[0]
        self.org_names.add(FEATURED_PRODUCER)
        self.tax_codes.add("5701234567")
        organisation = {
            "name": FEATURED_PRODUCER,
            "producer_kind": "cooperative",
            "province_code": QN,
            "commune": "Hải Hà",
            "address": "Thôn 4, xã Đường Hoa, Hải Hà, Quảng Ninh",
            "contact_name": "Nguyễn Thị Lan",
            "phone": "0912 468 135",
            "email": f"htxduonghoa@{DEMO_DOMAIN}",
            "website": None,
            "tax_code": "5701234567",
            "description": (
                "Hợp tác xã 42 thành viên trồng và chế biến chè trên 35 ha đồi chè Đường Hoa, "
                "sản phẩm OCOP 4 sao của huyện Hải Hà."
            ),
        }
        products = []
        for kind, stars, days, standards in zip(
            cluster.kinds,
            (4, 4, 3, 4),
            (120, 300, 450, 610),
            (["organic", "vietgap"], ["vietgap"], ["haccp", "vietgap"], ["haccp", "iso22000"]),
            strict=True,
        ):
            values = self.product(cluster, "cooperative", kind, "Đường Hoa")
            issued = self.today - timedelta(days=days)
            values |= {
                "stars": stars,
                "certificate_date": issued,
                "certificate_expiry": services.default_expiry(issued),
                "standards": standards,
                "name_fr": kind.fr,
                "price_min": values["price_min"] or _vnd(kind.price[0]),
                "price_max": values["price_max"] or _vnd(kind.price[1]),
                "price_unit": kind.price_unit or kind.unit,
            }
            products.append(values)
        return ProducerSpec(organisation, products)

    # -------------------------------------------------------- buyers

    def demand_standards(self, buyer: Buyer, category: str) -> list[str]:
        r = self.rng.random()
        fresh = category in ("fresh_fruit", "vegetables")
        processed = category in (
            "seafood",
            "meat_products",
            "rice_noodles",
            "confectionery",
            "dried_fruit",
            "juice",
            "desserts",
        )
        kind = buyer.buyer_type
        if kind == "exporter":
            if fresh:
                return ["globalgap"]
            return ["haccp"] if processed or category == "sauces_spices" else []
        if kind == "airline_catering":
            return ["haccp"] if r < 0.5 else ["iso22000"]
        if kind == "school_kitchen":
            return ["vietgap"] if fresh or category == "meat_products" else ["haccp"] if r < 0.6 else []
        if kind in ("supermarket", "canteen"):
            if fresh and r < 0.5:
                return ["vietgap"]
            return ["haccp"] if processed and r < 0.25 else []
        if kind == "hotel" and buyer.premium and processed and r < 0.4:
            return ["haccp"]
        return []

    def demand_provinces(self, buyer: Buyer) -> list[str]:
        rng = self.rng
        if buyer.buyer_type == "exporter":
            return [buyer.province] if buyer.province in FEATURED_PROVINCES and rng.random() < 0.3 else []
        if buyer.province in FEATURED_PROVINCES:
            if rng.random() < 0.55:
                wanted = {buyer.province}
                if rng.random() < 0.3:
                    wanted.add(rng.choice([p for p in FEATURED_PROVINCES if p != buyer.province]))
                return sorted(wanted)
            return []
        return sorted(rng.sample(FEATURED_PROVINCES, rng.randint(1, 2))) if rng.random() < 0.35 else []

    def demand_line(self, buyer: Buyer, category: str) -> dict[str, Any]:
        rng = self.rng
        base, unit = DEMAND_BASE[category]
        volume = _nice(base * TYPE_SCALE[buyer.buyer_type] * rng.uniform(0.6, 1.6))
        if unit == "kg" and volume >= 5000:
            volume, unit = _nice(volume / 1000), "tonne"
        strict = buyer.premium or buyer.buyer_type in ("exporter", "airline_catering")
        line: dict[str, Any] = {
            "category": category,
            "monthly_volume": volume,
            "unit": unit,
            "min_stars": 4 if strict or rng.random() < 0.2 else 3,
            "price_ceiling": None,
            "note": rng.choice(DEMAND_NOTES[buyer.buyer_type]) if rng.random() < 0.7 else None,
            "standards": self.demand_standards(buyer, category),
            "provinces": self.demand_provinces(buyer),
        }
        reference = REFERENCE_PRICE.get((category, unit))
        if reference and rng.random() < 0.35:
            line["price_ceiling"] = _vnd(reference * rng.uniform(0.7, 1.1))
        return line

    def buyer_address(self, buyer: Buyer) -> str:
        parts = [buyer.address]
        if fold(buyer.locality) not in fold(buyer.address):
            parts.append(buyer.locality)
        return ", ".join([*parts, PROVINCES[buyer.province]])

    def buyer(self, buyer: Buyer) -> BuyerSpec:
        rng = self.rng
        self.org_names.add(buyer.name)
        organisation = {
            "name": buyer.name,
            "buyer_type": buyer.buyer_type,
            "province_code": buyer.province,
            "commune": buyer.locality,
            "address": self.buyer_address(buyer),
            "contact_name": self.person(buyer.province),
            "phone": self.phone(buyer.province, landline=rng.random() < 0.6),
            "email": self.email(buyer.name),
            "tax_code": self.tax_code(buyer.province) if rng.random() < 0.9 else None,
            "description": BUYER_DESCRIPTIONS[buyer.buyer_type],
        }
        return BuyerSpec(organisation, [self.demand_line(buyer, category) for category in buyer.focus])


def _reference_prices() -> dict[tuple[str, str], int]:
    """The top of the usual price range of each category, per unit, from the kinds above."""
    prices: dict[tuple[str, str], list[int]] = {}
    for cluster in CLUSTERS:
        for kind in cluster.kinds:
            prices.setdefault((kind.category, kind.price_unit or kind.unit), []).append(kind.price[1])
    return {key: sorted(values)[len(values) // 2] for key, values in prices.items()}


REFERENCE_PRICE = _reference_prices()


def build_demo(seed: int, today: date | None = None) -> DemoData:
    """The demo data set as plain dictionaries, from `seed` alone (and today's date)."""
    generator = _Generator(seed, today or services.today())
    producers = [generator.featured_producer()]
    for index, cluster in enumerate(CLUSTERS):
        every_kind = set(range(len(cluster.kinds)))
        made = set(every_kind) if index == 0 else set()  # the featured cooperative makes all Hải Hà teas
        count = cluster.producers - 1 if index == 0 else cluster.producers
        for n in range(count):
            # The last producer of a place also makes any of its kinds nobody made yet.
            spec, kinds = generator.producer(cluster, every_kind - made if n == count - 1 else set())
            producers.append(spec)
            made |= kinds
    buyers = [generator.buyer(buyer) for buyer in BUYERS]
    return DemoData(seed, generator.today, producers, buyers)


# ---------------------------------------------------------------- loading


def database_is_empty() -> bool:
    """True when nobody has an account yet (a fresh installation)."""
    return db.session.scalar(select(User.id).limit(1)) is None


def describe_logins() -> str:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for login in DEMO_LOGINS:
        where = f" — {login.organisation}" if login.organisation else ""
        lines.append(f"  {login.role:<10} {login.email}{where}")
    return "\n".join(lines)


def load_demo(seed: int) -> Summary:
    """Create the demo data set through the services; flushes, the caller commits."""
    data = build_demo(seed)
    summary = Summary(seed=seed)
    users = {
        login.role: accounts.create_user(
            email=login.email, password=DEMO_PASSWORD, full_name=login.full_name, role=login.role, locale="vi"
        )
        for login in DEMO_LOGINS
    }
    admin = users["admin"]  # admins may edit any organisation
    organisations = {}
    for spec in data.producers:
        organisation = services.create_organisation(role="producer", **spec.organisation)
        organisations[organisation.name] = organisation
        summary.producers += 1
        summary.producers_by_province[organisation.province_code] += 1
        for values in spec.products:
            services.create_product(admin, organisation, **values)
            summary.products += 1
            summary.products_by_group[values["ocop_group"]] += 1
            expired = values["certificate_expiry"] < data.today
            summary.expired += expired
            summary.not_certified_stars += values["stars"] < CERTIFIED_MIN_STARS
            summary.certified += values["stars"] >= CERTIFIED_MIN_STARS and not expired
    for spec in data.buyers:
        organisation = services.create_organisation(role="buyer", **spec.organisation)
        organisations[organisation.name] = organisation
        summary.buyers_by_type[organisation.buyer_type] += 1
        for values in spec.demand:
            services.save_demand_line(admin, organisation, **values)
            summary.demand_lines += 1
    for login in DEMO_LOGINS:
        if login.organisation:
            users[login.role].organisation = organisations[login.organisation]
    db.session.flush()
    from app.events.demo import load_demo_event  # the event is built on the catalogue above

    summary.event = load_demo_event(seed, users["organiser"], data.today)
    return summary
