"""The Chinese (zh) column: names, "X side" words, demonyms, abbreviation runs, traditional forms and exclusions.

Chinese has no case endings, so zh has no paradigm rule: these tests check real sentences instead, each with
the spans the gazetteer must give (a run of abbreviations such as 中美 gives one span per character).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from analysis import checksets
from analysis.columns import mention_columns
from analysis.gazetteer import ALIAS_DIR, DATA_FILE, Gazetteer
from analysis.morphology import has_rule
from tests.analysis import lang_cases

ZH_FILE = ALIAS_DIR / "zh.yaml"


@pytest.fixture(scope="module")
def zh(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """countries.yaml with only the zh alias file beside it (other languages' files are not under test here)."""
    folder = tmp_path_factory.mktemp("aliases")
    shutil.copy(ZH_FILE, folder / "zh.yaml")
    return Gazetteer.load(DATA_FILE, folder)


def test_zh_is_a_plain_column_without_paradigms() -> None:
    data = yaml.safe_load(ZH_FILE.read_text(encoding="utf-8"))
    assert data["language"] == "zh"
    assert not data.get("paradigms")
    assert not has_rule("zh")  # no analysis/morphology/zh.py: "{zh}" must never appear in an alias
    aliases = [a for block in data["countries"].values() for kind in block.values() for a in kind]
    assert [a for a in aliases if "{" in a or "}" in a] == []


def test_every_country_of_the_countries_file_has_a_chinese_name() -> None:
    codes = [e["code"] for e in yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["countries"]]
    lang_cases.assert_every_country_named(yaml.safe_load(ZH_FILE.read_text(encoding="utf-8"))["countries"], codes)


def test_compound_characters_are_single_han_characters_of_known_states(zh: Gazetteer) -> None:
    compounds = yaml.safe_load(ZH_FILE.read_text(encoding="utf-8"))["compounds"]
    assert {len(c) for c in compounds} == {1}
    assert set(compounds.values()) <= set(zh.countries)
    assert compounds["乌"] == "UA" and compounds["韓"] == "KR"
    for unsafe in ("以", "巴", "加", "意", "西", "越", "新", "阿", "白"):
        assert unsafe not in compounds, f"{unsafe} is an ordinary word or several states' abbreviation"


def test_no_two_countries_claim_a_form(zh: Gazetteer) -> None:
    assert zh.collisions() == []


test_names_longest_first = lang_cases.mentions("zh", [
    ("美国和俄罗斯举行会谈", [("US", "美国"), ("RU", "俄罗斯")]),
    ("俄罗斯联邦总统令", [("RU", "俄罗斯联邦")]),
    ("中华人民共和国和哈萨克斯坦共和国联合声明", [("CN", "中华人民共和国"), ("KZ", "哈萨克斯坦共和国")]),
    ("美利坚合众国政府", [("US", "美利坚合众国")]),
    ("白俄罗斯不是俄罗斯", [("BY", "白俄罗斯"), ("RU", "俄罗斯")]),
    ("印度尼西亚和印度", [("ID", "印度尼西亚"), ("IN", "印度")]),
    ("南苏丹与苏丹", [("SS", "南苏丹"), ("SD", "苏丹")]),
    ("赤道几内亚与几内亚", [("GQ", "赤道几内亚"), ("GN", "几内亚")]),
    ("韩国与朝鲜", [("KR", "韩国"), ("KP", "朝鲜")]),
    ("尼日利亚和尼日尔", [("NG", "尼日利亚"), ("NE", "尼日尔")]),
    ("刚果民主共和国和刚果共和国", [("CD", "刚果民主共和国"), ("CG", "刚果共和国")]),
], fixture="zh")


test_short_forms_and_demonyms_are_whole_words = lang_cases.mentions("zh", [
    ("中方坚决反对美方的做法", [("CN", "中方"), ("US", "美方")]),
    ("俄军称乌军撤出了该村", [("RU", "俄军"), ("UA", "乌军")]),
    ("美媒报道称", [("US", "美媒")]),
    ("哈方和吉方签署协议", [("KZ", "哈方"), ("KG", "吉方")]),
    ("以军空袭后以方表示", [("IL", "以军"), ("IL", "以方")]),
    ("俄罗斯人和美国人", [("RU", "俄罗斯人"), ("US", "美国人")]),
    ("许多中国人前往泰国", [("CN", "中国人"), ("TH", "泰国")]),
    ("俄外长表示", [("RU", "俄")]),  # 俄 alone is Russia
    ("欧盟对俄制裁", [("EU", "欧盟"), ("RU", "俄")]),
], fixture="zh")


test_abbreviation_runs_mark_each_character = lang_cases.mentions("zh", [
    ("中美关系", [("CN", "中"), ("US", "美")]),
    ("中日韩三国", [("CN", "中"), ("JP", "日"), ("KR", "韩")]),
    ("俄乌冲突", [("RU", "俄"), ("UA", "乌")]),
    ("美英澳三边", [("US", "美"), ("GB", "英"), ("AU", "澳")]),
    ("中欧关系", [("CN", "中"), ("EU", "欧")]),
    ("中美元首会晤", [("CN", "中"), ("US", "美")]),  # 美元 inside must not break the run
    ("俄美元首通话", [("RU", "俄"), ("US", "美")]),
    ("其中美国最多", [("US", "美国")]),  # the run yields to the name starting inside it
    ("中英文化交流", [("CN", "中"), ("GB", "英")]),
    ("中韓關係", [("CN", "中"), ("KR", "韓")]),
], fixture="zh")


test_a_date_day_is_not_japan = lang_cases.mentions("zh", [
    ("12日中方宣布", [("CN", "中方")]),
    ("5月3日中美两国会谈", [("CN", "中"), ("US", "美")]),
    ("３日中俄外长通电话", [("CN", "中"), ("RU", "俄")]),
    ("十二日中午", []),
    ("周日中美会谈", [("CN", "中"), ("US", "美")]),
    ("今日美国宣布", [("US", "美国")]),
], fixture="zh")


test_capitals_and_seats = lang_cases.mentions("zh", [
    ("莫斯科和北京", [("RU", "莫斯科"), ("CN", "北京")]),
    ("克里姆林宫和白宫", [("RU", "克里姆林宫"), ("US", "白宫")]),
    ("克宫发言人", [("RU", "克宫")]),
    ("中南海", [("CN", "中南海")]),
    ("阿斯塔纳和比什凯克", [("KZ", "阿斯塔纳"), ("KG", "比什凯克")]),
    ("杜尚别和塔什干", [("TJ", "杜尚别"), ("UZ", "塔什干")]),
    ("华盛顿和基辅", [("US", "华盛顿"), ("UA", "基辅")]),
    ("布鲁塞尔", [("EU", "布鲁塞尔")]),
], fixture="zh")


test_traditional_and_taiwan_forms = lang_cases.mentions("zh", [
    ("美國總統與俄羅斯總統通電話", [("US", "美國"), ("RU", "俄羅斯")]),
    ("烏克蘭和哈薩克", [("UA", "烏克蘭"), ("KZ", "哈薩克")]),
    ("北韓與南韓", [("KP", "北韓"), ("KR", "南韓")]),
    ("中國與烏茲別克", [("CN", "中國"), ("UZ", "烏茲別克")]),
    ("蘇聯解體", [("SU", "蘇聯")]),
    ("白宮和克里姆林宮", [("US", "白宮"), ("RU", "克里姆林宮")]),
    ("華府與北約", [("US", "華府"), ("NATO", "北約")]),
    ("臺灣與台灣", [("TW", "臺灣"), ("TW", "台灣")]),
], fixture="zh")


test_false_friends_find_nothing = lang_cases.no_mentions("zh", [
    "一百亿美元", "人民币对美元汇率", "英镑兑欧元", "中美洲国家", "南美洲", "美中不足的是", "电影《美国队长》",
    "他精通英语、法语和俄语", "乌克兰语课程", "法律和道德", "在执法中", "其中法律规定", "诚信是传统美德",
    "乔治·华盛顿", "华盛顿州州长", "《华盛顿邮报》", "美国之音", "今日俄罗斯", "朝中社", "俄塔社", "对华为的制裁",
    "北京时间今天", "北京烤鸭", "内蒙古的蒙古族牧民", "哈萨克族和俄罗斯族", "朝鲜半岛", "印度洋", "印太战略",
    "几内亚比绍", "巴布亚新几内亚", "马里乌波尔", "马里兰州", "俄亥俄州", "哥伦比亚大学", "俄罗斯方块",
    "其中国有企业", "许多哈萨克斯坦人", "这里加强了检查", "家里加装电梯", "增加纳税人负担", "河南非法集资",
    "在此基础上合作", "其中美元贷款", "欧美国家", "中欧班列", "土方工程", "朝着会场", "苏伊士运河", "古巴比伦",
    "法塔赫", "哈马斯", "塔利班", "吉林省", "乌鲁木齐", "澳门", "韩正会见", "喬治亞州州長",
], fixture="zh")


test_false_friends_beside_real_mentions = lang_cases.mentions("zh", [
    ("美国开国总统乔治·华盛顿", [("US", "美国")]),
    ("南非是非洲国家", [("ZA", "南非")]),
    ("中国台湾地区", [("CN", "中国"), ("TW", "台湾")]),
    ("据日本《朝日新闻》报道", [("JP", "日本")]),
    ("乌克兰东南部城市马里乌波尔", [("UA", "乌克兰")]),
    ("美联储加息", [("US", "美联储")]),
    ("美国对华为的制裁", [("US", "美国")]),
    ("《今日美国报》报道", []),
], fixture="zh")


def test_chinese_text_gets_the_zh_column() -> None:
    assert "zh" in mention_columns("俄罗斯外交部发言人表示，莫斯科将作出回应。")


def test_the_check_set_file_is_there() -> None:
    assert len(checksets.load(Path(__file__).with_name("checksets") / "zh.txt")) >= 110
