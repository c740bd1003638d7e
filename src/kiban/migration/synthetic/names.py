"""Name pools: (written name, full-width katakana reading) pairs, drawn once and indexed by the generator.

Japanese names come from Faker's ja_JP person provider, which pairs each name with its reading
(``last_name_pairs`` with frequency weights, ``first_name_male_pairs``, ``first_name_female_pairs``); its lists are
short (50 surnames, 30 + 21 given names), so common names with their usual readings are added below to make
households less alike. Foreign residents' names follow how the resident record writes them: Chinese and Korean
names in kanji with a katakana reading, others in capital Roman letters with a katakana reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from faker.providers.person.ja_JP import Provider as JapaneseNames

Pair = tuple[str, str]

# More surnames among the 100 most common (with their commonest reading); weight in the same unit as Faker's
# (approximate number of bearers, rounded), so Faker's top 50 keep their larger shares.
_MORE_SURNAMES: tuple[tuple[str, str, int], ...] = (
    ("石井", "イシイ", 70000),
    ("上田", "ウエダ", 69000),
    ("森田", "モリタ", 68000),
    ("原田", "ハラダ", 67000),
    ("柴田", "シバタ", 66000),
    ("酒井", "サカイ", 65000),
    ("工藤", "クドウ", 64000),
    ("横山", "ヨコヤマ", 63000),
    ("宮崎", "ミヤザキ", 62000),
    ("宮本", "ミヤモト", 61000),
    ("内田", "ウチダ", 60000),
    ("高木", "タカギ", 60000),
    ("安藤", "アンドウ", 59000),
    ("谷口", "タニグチ", 58000),
    ("大野", "オオノ", 58000),
    ("丸山", "マルヤマ", 57000),
    ("今井", "イマイ", 57000),
    ("高田", "タカダ", 56000),
    ("藤原", "フジワラ", 56000),
    ("河野", "コウノ", 55000),
    ("小島", "コジマ", 54000),
    ("武田", "タケダ", 54000),
    ("村田", "ムラタ", 53000),
    ("上野", "ウエノ", 53000),
    ("杉山", "スギヤマ", 52000),
    ("増田", "マスダ", 52000),
    ("平田", "ヒラタ", 51000),
    ("大塚", "オオツカ", 51000),
    ("千葉", "チバ", 50000),
    ("久保", "クボ", 50000),
    ("松井", "マツイ", 49000),
    ("小野", "オノ", 49000),
    ("岩崎", "イワサキ", 48000),
    ("桜井", "サクライ", 48000),
    ("野口", "ノグチ", 47000),
    ("松尾", "マツオ", 47000),
    ("野村", "ノムラ", 46000),
    ("木下", "キノシタ", 46000),
    ("菊地", "キクチ", 45000),
    ("佐野", "サノ", 45000),
    ("大西", "オオニシ", 44000),
    ("杉本", "スギモト", 44000),
    ("新井", "アライ", 43000),
    ("浜田", "ハマダ", 43000),
    ("菅原", "スガワラ", 42000),
    ("市川", "イチカワ", 42000),
    ("水野", "ミズノ", 41000),
    ("小松", "コマツ", 41000),
    ("島田", "シマダ", 40000),
    ("古川", "フルカワ", 40000),
    ("小山", "コヤマ", 39000),
    ("高野", "タカノ", 39000),
    ("西田", "ニシダ", 38000),
    ("菊池", "キクチ", 38000),
    ("山内", "ヤマウチ", 37000),
    ("西川", "ニシカワ", 37000),
    ("五十嵐", "イガラシ", 36000),
    ("北村", "キタムラ", 36000),
    ("安田", "ヤスダ", 35000),
    ("中田", "ナカタ", 35000),
)
_MORE_MALE: tuple[Pair, ...] = (
    ("太郎", "タロウ"),
    ("一郎", "イチロウ"),
    ("健太", "ケンタ"),
    ("翔太", "ショウタ"),
    ("大輔", "ダイスケ"),
    ("拓也", "タクヤ"),
    ("直樹", "ナオキ"),
    ("和夫", "カズオ"),
    ("茂", "シゲル"),
    ("博", "ヒロシ"),
    ("清", "キヨシ"),
    ("勇", "イサム"),
    ("誠", "マコト"),
    ("隆", "タカシ"),
    ("浩二", "コウジ"),
    ("蓮", "レン"),
    ("湊", "ミナト"),
    ("陽翔", "ハルト"),
    ("蒼", "アオイ"),
    ("悠真", "ユウマ"),
    ("大翔", "ヒロト"),
    ("颯太", "ソウタ"),
    ("樹", "イツキ"),
    ("健一", "ケンイチ"),
    ("正人", "マサト"),
)
_MORE_FEMALE: tuple[Pair, ...] = (
    ("花子", "ハナコ"),
    ("恵子", "ケイコ"),
    ("幸子", "サチコ"),
    ("和子", "カズコ"),
    ("洋子", "ヨウコ"),
    ("智子", "トモコ"),
    ("裕子", "ユウコ"),
    ("美紀", "ミキ"),
    ("愛", "アイ"),
    ("彩", "アヤ"),
    ("結衣", "ユイ"),
    ("陽菜", "ヒナ"),
    ("葵", "アオイ"),
    ("凛", "リン"),
    ("芽依", "メイ"),
    ("紬", "ツムギ"),
    ("さくら", "サクラ"),
    ("美咲", "ミサキ"),
    ("真由美", "マユミ"),
    ("久美子", "クミコ"),
    ("節子", "セツコ"),
    ("京子", "キョウコ"),
    ("由美", "ユミ"),
    ("奈々", "ナナ"),
    ("千尋", "チヒロ"),
)


@dataclass(frozen=True, slots=True)
class WeightedPairs:
    """Pairs and their cumulative weights, for drawing with ``bisect``."""

    pairs: tuple[Pair, ...]
    cumulative: tuple[float, ...]

    @property
    def total(self) -> float:
        return self.cumulative[-1]


def _weighted(pairs: list[tuple[Pair, float]]) -> WeightedPairs:
    return WeightedPairs(tuple(pair for pair, _ in pairs), tuple(accumulate(float(w) for _, w in pairs)))


def _uniform(pairs: tuple[Pair, ...] | list[Pair]) -> WeightedPairs:
    return _weighted([(pair, 1.0) for pair in dict.fromkeys(pairs)])


@dataclass(frozen=True, slots=True)
class NamePools:
    family: WeightedPairs
    male: WeightedPairs
    female: WeightedPairs


@cache
def japanese() -> NamePools:
    family = {(name, kana): float(weight) for (name, kana, _), weight in JapaneseNames.last_name_pairs.items()}
    for name, kana, weight in _MORE_SURNAMES:
        family.setdefault((name, kana), float(weight))
    male = [(name, kana) for name, kana, _ in JapaneseNames.first_name_male_pairs] + list(_MORE_MALE)
    female = [(name, kana) for name, kana, _ in JapaneseNames.first_name_female_pairs] + list(_MORE_FEMALE)
    return NamePools(_weighted(sorted(family.items())), _uniform(male), _uniform(female))


# Foreign residents by nationality: (family names, male given names, female given names).
_FOREIGN: dict[str, tuple[tuple[Pair, ...], tuple[Pair, ...], tuple[Pair, ...]]] = {
    "中国": (
        (
            ("王", "ワン"),
            ("李", "リ"),
            ("張", "チョウ"),
            ("劉", "リュウ"),
            ("陳", "チン"),
            ("楊", "ヤン"),
            ("趙", "チョウ"),
            ("黄", "コウ"),
            ("周", "シュウ"),
            ("呉", "ゴ"),
        ),
        (
            ("偉", "ウェイ"),
            ("強", "チアン"),
            ("磊", "レイ"),
            ("軍", "ジュン"),
            ("洋", "ヤン"),
            ("勇", "ヨン"),
            ("浩", "ハオ"),
        ),
        (
            ("芳", "ファン"),
            ("娜", "ナ"),
            ("敏", "ミン"),
            ("静", "ジン"),
            ("麗", "リー"),
            ("艶", "イェン"),
            ("婷", "ティン"),
        ),
    ),
    "ベトナム": (
        (
            ("NGUYEN", "グエン"),
            ("TRAN", "チャン"),
            ("LE", "レ"),
            ("PHAM", "ファム"),
            ("HOANG", "ホアン"),
            ("VU", "ヴー"),
            ("DANG", "ダン"),
            ("BUI", "ブイ"),
        ),
        (
            ("VAN AN", "ヴァン アン"),
            ("VAN DUC", "ヴァン ドゥック"),
            ("MINH TUAN", "ミン トゥアン"),
            ("QUANG HUY", "クアン フイ"),
            ("VAN HUNG", "ヴァン フン"),
            ("THANH LONG", "タン ロン"),
        ),
        (
            ("THI HOA", "ティ ホア"),
            ("THI LAN", "ティ ラン"),
            ("THI MAI", "ティ マイ"),
            ("THU TRANG", "トゥ チャン"),
            ("NGOC ANH", "ゴック アイン"),
            ("THI HUONG", "ティ フオン"),
        ),
    ),
    "韓国": (
        (
            ("金", "キム"),
            ("李", "イ"),
            ("朴", "パク"),
            ("崔", "チェ"),
            ("鄭", "チョン"),
            ("姜", "カン"),
            ("趙", "チョ"),
            ("尹", "ユン"),
        ),
        (
            ("民俊", "ミンジュン"),
            ("成浩", "ソンホ"),
            ("相哲", "サンチョル"),
            ("永洙", "ヨンス"),
            ("在賢", "ジェヒョン"),
            ("東旭", "ドンウク"),
        ),
        (
            ("英姫", "ヨンヒ"),
            ("順子", "スンジャ"),
            ("美京", "ミギョン"),
            ("恩惠", "ウネ"),
            ("智媛", "ジウォン"),
            ("秀珍", "スジン"),
        ),
    ),
    "フィリピン": (
        (
            ("SANTOS", "サントス"),
            ("REYES", "レイエス"),
            ("CRUZ", "クルス"),
            ("BAUTISTA", "バウティスタ"),
            ("GARCIA", "ガルシア"),
            ("MENDOZA", "メンドーサ"),
            ("DELA CRUZ", "デラ クルス"),
        ),
        (("JOSE", "ホセ"), ("MARK ANTHONY", "マーク アンソニー"), ("JOHN PAUL", "ジョン ポール"), ("RAMON", "ラモン")),
        (
            ("MARIA", "マリア"),
            ("MARICEL", "マリセル"),
            ("JOCELYN", "ジョセリン"),
            ("ANALYN", "アナリン"),
            ("MARY JOY", "メアリー ジョイ"),
        ),
    ),
    "ブラジル": (
        (
            ("SILVA", "シルバ"),
            ("SANTOS", "サントス"),
            ("OLIVEIRA", "オリヴェイラ"),
            ("SOUZA", "ソウザ"),
            ("PEREIRA", "ペレイラ"),
            ("NAKAMURA", "ナカムラ"),
            ("YAMASHITA", "ヤマシタ"),
        ),
        (
            ("JOAO", "ジョアン"),
            ("LUCAS", "ルーカス"),
            ("PEDRO", "ペドロ"),
            ("RAFAEL", "ハファエル"),
            ("MARCOS", "マルコス"),
        ),
        (
            ("ANA", "アナ"),
            ("JULIANA", "ジュリアナ"),
            ("MARIANA", "マリアナ"),
            ("FERNANDA", "フェルナンダ"),
            ("CAMILA", "カミラ"),
        ),
    ),
    "ネパール": (
        (
            ("SHRESTHA", "シュレスタ"),
            ("GURUNG", "グルン"),
            ("TAMANG", "タマン"),
            ("RAI", "ライ"),
            ("MAGAR", "マガル"),
            ("THAPA", "タパ"),
            ("ADHIKARI", "アディカリ"),
        ),
        (("RAM", "ラム"), ("BIKASH", "ビカス"), ("SURESH", "スレス"), ("KRISHNA", "クリシュナ"), ("ANIL", "アニル")),
        (("SITA", "シタ"), ("GITA", "ギタ"), ("SABITA", "サビタ"), ("ANJALI", "アンジャリ"), ("PUJA", "プジャ")),
    ),
    "インドネシア": (
        (
            ("SAPUTRA", "サプトラ"),
            ("WIJAYA", "ウィジャヤ"),
            ("SETIAWAN", "セティアワン"),
            ("HIDAYAT", "ヒダヤット"),
            ("PRATAMA", "プラタマ"),
        ),
        (("AGUS", "アグス"), ("BUDI", "ブディ"), ("RIZKI", "リズキ"), ("DWI", "ドゥイ")),
        (("SITI", "シティ"), ("DEWI", "デウィ"), ("PUTRI", "プトゥリ"), ("RINA", "リナ")),
    ),
    "ミャンマー": (
        (("AUNG", "アウン"), ("KYAW", "チョー"), ("HTET", "テッ"), ("WIN", "ウィン")),
        (("MIN THU", "ミン トゥ"), ("ZAW MYO", "ゾー ミョー"), ("THET NAING", "テッ ナイン")),
        (("THANDAR", "タンダー"), ("EI MON", "エイ モン"), ("SU MYAT", "ス ミャッ")),
    ),
    "米国": (
        (
            ("SMITH", "スミス"),
            ("JOHNSON", "ジョンソン"),
            ("WILLIAMS", "ウィリアムズ"),
            ("BROWN", "ブラウン"),
            ("MILLER", "ミラー"),
        ),
        (("JAMES", "ジェームズ"), ("MICHAEL", "マイケル"), ("DAVID", "デイビッド"), ("ROBERT", "ロバート")),
        (("MARY", "メアリー"), ("JENNIFER", "ジェニファー"), ("EMILY", "エミリー"), ("SARAH", "サラ")),
    ),
    "台湾": (
        (("陳", "チェン"), ("林", "リン"), ("黄", "ホアン"), ("張", "チャン"), ("蔡", "ツァイ")),
        (("志明", "ジーミン"), ("家豪", "ジアハオ"), ("俊傑", "ジュンジエ")),
        (("淑芬", "シューフェン"), ("怡君", "イージュン"), ("雅婷", "ヤーティン")),
    ),
}


@cache
def foreign(nationality: str) -> NamePools:
    """Name pools for residents of ``nationality``; nationalities without their own pool use the US one."""
    family, male, female = _FOREIGN.get(nationality, _FOREIGN["米国"])
    return NamePools(_uniform(family), _uniform(male), _uniform(female))
