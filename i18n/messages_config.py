"""Messages of reference data from files (governance/config_io.py, ``python app.py config``):
where an error is (section, entry, field) and why, and the import's summary."""

from __future__ import annotations

_CODE_ZH = "代码只能含英文字母、数字、下划线 _、点 . 和连字符 -，以字母或数字开头，至多 40 个字符"
_CODE_EN = (
    "codes may hold ASCII letters, digits, '_', '.' and '-', start with a letter or digit, "
    "and have at most 40 characters"
)

CONFIG: dict[str, dict[str, str]] = {
    # where
    "config.section.departments": {"zh-CN": "部门", "en": "Departments"},
    "config.section.categories": {"zh-CN": "事件分类", "en": "Categories"},
    "config.section.routing_rules": {"zh-CN": "分派规则", "en": "Routing rules"},
    "config.section.sla_policies": {"zh-CN": "办理时限", "en": "SLA policies"},
    "config.section.calendar": {"zh-CN": "工作日历", "en": "Calendar"},
    "config.where.document": {"zh-CN": "文件", "en": "The file"},
    "config.where.entry": {"zh-CN": "{section}第 {index} 条", "en": "{section}, entry {index}"},
    "config.where.child": {"zh-CN": " › 子类第 {index} 条", "en": " › child {index}"},
    "config.where.code": {"zh-CN": "（{code}）", "en": " ({code})"},
    "config.where.field": {"zh-CN": "，字段 {field}", "en": ", field {field}"},
    "config.where.joined": {"zh-CN": "{where}：{why}", "en": "{where}: {why}"},
    # the file as a whole
    "config.error.rejected": {
        "zh-CN": "参考数据未导入：发现 {count} 处错误，数据库未作任何改动",
        "en": "Reference data not imported: {count} error(s) found; nothing was changed",
    },
    "config.error.too_large": {
        "zh-CN": "文件过大（{size} 字节），上限为 {max} 字节",
        "en": "The file is too large ({size} bytes); the limit is {max} bytes",
    },
    "config.error.encoding": {
        "zh-CN": "文件须为 UTF-8 编码（在编辑器中另存为 UTF-8）",
        "en": "The file must be UTF-8 encoded (save it as UTF-8 in your editor)",
    },
    "config.error.yaml": {
        "zh-CN": "不是有效的 YAML（第 {line} 行：{problem}）",
        "en": "Not valid YAML (line {line}: {problem})",
    },
    "config.error.yaml_char": {
        "zh-CN": "文件含不允许的字符 {char}（第 {position} 个字符处），请删去",
        "en": "The file holds the character {char}, which is not allowed (at character "
        "{position}); remove it",
    },
    "config.error.yaml_value": {
        "zh-CN": "文件中有无法读取的值（如不存在的日期 2026-13-45，或过长的数字）",
        "en": "The file holds a value that cannot be read (a date that does not exist, such "
        "as 2026-13-45, or a number too long)",
    },
    "config.error.yaml_alias": {
        "zh-CN": "第 {line} 行使用了别名引用（*名称）：不接受锚点与别名，请把内容直接写出",
        "en": "Line {line} uses an alias (*name): anchors and aliases are not accepted; "
        "write the content out",
    },
    "config.error.yaml_nodes": {
        "zh-CN": "文件内容过多：超过 {max} 个值（至第 {line} 行），请分成几个文件导入",
        "en": "The file holds too much: more than {max} values (by line {line}); import it in "
        "several files",
    },
    "config.error.yaml_depth": {
        "zh-CN": "第 {line} 行嵌套过深（超过 {max} 层）",
        "en": "Line {line} is nested too deeply (more than {max} levels)",
    },
    "config.error.not_mapping": {
        "zh-CN": "文件最上层须是“键: 值”的映射，以 minqing_config: 1 开头，再列出各部分",
        "en": "The file must be a mapping of 'key: value' starting with minqing_config: 1, "
        "then the sections",
    },
    "config.error.version_missing": {
        "zh-CN": "缺少格式版本：请在第一行写 minqing_config: {supported}",
        "en": "The format version is missing: write minqing_config: {supported} on the first line",
    },
    "config.error.version_unsupported": {
        "zh-CN": "不支持的格式版本“{value}”；本程序读取版本 {supported}",
        "en": "Unsupported format version '{value}'; this program reads version {supported}",
    },
    "config.error.unknown_section": {
        "zh-CN": "未知的部分“{name}”；可用的部分：{allowed}",
        "en": "Unknown section '{name}'; the sections are: {allowed}",
    },
    "config.error.section_not_list": {
        "zh-CN": "须是列表（每条以“- ”开头）",
        "en": "must be a list (each entry starting with '- ')",
    },
    "config.error.too_many": {
        "zh-CN": "条目过多（至多 {max} 条）",
        "en": "too many entries (at most {max})",
    },
    "config.error.too_many_errors": {
        "zh-CN": "错误过多，只列出前 {max} 处",
        "en": "Too many errors; only the first {max} are listed",
    },
    # an entry or a field
    "config.error.entry_not_mapping": {
        "zh-CN": "每条须是“键: 值”的映射",
        "en": "each entry must be a mapping of 'key: value'",
    },
    "config.error.unknown_field": {
        "zh-CN": "未知字段“{name}”；可用字段：{allowed}",
        "en": "unknown field '{name}'; the fields are: {allowed}",
    },
    "config.error.required": {"zh-CN": "必须填写", "en": "is required"},
    "config.error.not_text": {"zh-CN": "须是文字", "en": "must be text"},
    "config.error.quote_number": {
        "zh-CN": '须是文字：数字样的代码请加引号，如 "{value}"（不加引号时开头的 0 会丢失）',
        "en": 'must be text: put a code made of digits in quotes, as "{value}" (without '
        "quotes leading zeros are lost)",
    },
    "config.error.control": {
        "zh-CN": "含有控制字符，请删去",
        "en": "contains control characters; remove them",
    },
    "config.error.too_long": {
        "zh-CN": "过长（至多 {max} 个字符）",
        "en": "is too long (at most {max} characters)",
    },
    "config.error.code_full_width": {
        "zh-CN": f"代码“{{value}}”含全角字符“{{char}}”：请切换到英文输入法改用半角字符；{_CODE_ZH}",
        "en": f"The code '{{value}}' contains the full-width character '{{char}}': type it with "
        f"an English (half-width) input method; {_CODE_EN}",
    },
    "config.error.code_space": {
        "zh-CN": f"代码“{{value}}”中间有空格：请删去空格或改用下划线 _；{_CODE_ZH}",
        "en": f"The code '{{value}}' has a space inside: remove it or use '_'; {_CODE_EN}",
    },
    "config.error.code_chars": {
        "zh-CN": f"代码“{{value}}”不合规：{_CODE_ZH}",
        "en": f"The code '{{value}}' is not allowed: {_CODE_EN}",
    },
    "config.error.bad_gbt": {
        "zh-CN": '国标代码须由数字、英文字母、点和连字符组成，至多 20 个字符（加引号，如 "0101"）',
        "en": "a GB/T code holds digits, ASCII letters, '.' and '-', at most 20 characters "
        '(in quotes, as "0101")',
    },
    "config.error.not_int": {"zh-CN": "须是整数", "en": "must be a whole number"},
    "config.error.out_of_range": {
        "zh-CN": "须在 {lo} 到 {hi} 之间",
        "en": "must be between {lo} and {hi}",
    },
    "config.error.not_bool": {
        "zh-CN": "须是 true（上班）或 false（休息）",
        "en": "must be true (a working day) or false (a day off)",
    },
    "config.error.bad_day": {
        "zh-CN": "须是日期，格式 YYYY-MM-DD，如 2026-10-01",
        "en": "must be a date YYYY-MM-DD, as 2026-10-01",
    },
    "config.error.day_range": {
        "zh-CN": "日期须在 {lo} 到 {hi} 之间",
        "en": "the date must be between {lo} and {hi}",
    },
    "config.error.bad_color": {
        "zh-CN": '颜色须是 #RRGGBB 形式的十六进制值，如 "#e67e22"（加引号）',
        "en": 'a colour is a hex value #RRGGBB, as "#e67e22" (in quotes)',
    },
    "config.error.not_list": {
        "zh-CN": "须是列表，如 [water, emergency]",
        "en": "must be a list, as [water, emergency]",
    },
    "config.error.repeated_in_list": {
        "zh-CN": "列表中有重复的代码",
        "en": "the list repeats a code",
    },
    "config.error.duplicate": {
        "zh-CN": "“{value}”重复：第 {first} 条已有",
        "en": "'{value}' is repeated: entry {first} has it already",
    },
    "config.error.lead_in_assist": {
        "zh-CN": "主办部门“{value}”不能同时是协办部门",
        "en": "the lead department '{value}' cannot also assist",
    },
    # references
    "config.error.unknown_department": {
        "zh-CN": "没有代码为“{value}”的部门（文件和数据库中都没有，或将被删除）",
        "en": "No department has the code '{value}' (neither in the file nor kept in the database)",
    },
    "config.error.unknown_category": {
        "zh-CN": "没有代码为“{value}”的事件分类（文件和数据库中都没有，或将被删除）",
        "en": "No category has the code '{value}' (neither in the file nor kept in the database)",
    },
    "config.error.used_leaf": {
        "zh-CN": "“{value}”已被事件或巡查表用作小类，不能再下设子类；请另设一个大类",
        "en": "'{value}' is a category incidents or checklists file cases under; it cannot "
        "have children; make a new group instead",
    },
    "config.error.db_children": {
        "zh-CN": "“{value}”在数据库中有子类（{children}），不在文件中：不能把它改为子类；"
        "请在文件中列出这些子类，或加 --prune 删除它们",
        "en": "'{value}' has sub-categories in the database that the file leaves out "
        "({children}): it cannot become a child; list them in the file, or use --prune",
    },
    "config.error.in_use": {
        "zh-CN": "数据库中有、文件中没有，但仍被引用，不能删除：事件 {incidents} 件，账号 "
        "{accounts} 个，时间线记录 {events} 条，巡查表 {checklists} 份，事件分类 {categories} "
        "个，分派规则 {rules} 条，办理时限 {sla} 条；请把它留在文件中",
        "en": "in the database, not in the file, and still referred to, so it cannot be "
        "deleted: {incidents} incident(s), {accounts} account(s), {events} timeline step(s), "
        "{checklists} checklist(s), {categories} category(ies), {rules} routing rule(s), "
        "{sla} SLA policy(ies); keep it in the file",
    },
    "config.error.city_wide_only": {
        "zh-CN": "参考数据是全市的：只有不限区域的指挥中心账号可以导入",
        "en": "Reference data is the whole city's: only a city-wide command-centre account may "
        "import it",
    },
    # the command line
    "config.cli.section": {
        "zh-CN": "{section}：新增 {new}，更新 {updated}，不变 {unchanged}，删除 {deleted}，"
        "数据库中有而文件中没有（保留）{only_in_db}",
        "en": "{section}: {new} new, {updated} updated, {unchanged} unchanged, {deleted} "
        "deleted, {only_in_db} in the database but not in the file (kept)",
    },
    "config.cli.dry_run": {
        "zh-CN": "试运行：以上为将要进行的改动，未写入任何数据",
        "en": "Dry run: the changes above were not written",
    },
    "config.cli.done": {"zh-CN": "参考数据已导入", "en": "Reference data imported"},
    "config.cli.exported": {
        "zh-CN": "参考数据已导出到 {path}",
        "en": "Reference data exported to {path}",
    },
    "config.cli.unreadable": {
        "zh-CN": "无法读取文件 {path}：{reason}",
        "en": "Cannot read the file {path}: {reason}",
    },
}
