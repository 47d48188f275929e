"""Texts of the account page (账号管理, /admin/users): list, forms, results, errors."""

from __future__ import annotations

USERS: dict[str, dict[str, str]] = {
    # --- page and header ---
    "users.page.title": {"zh-CN": "账号管理", "en": "Accounts"},
    "users.page.subtitle": {
        "zh-CN": "三员分立 · 每项变更均记入审计日志",
        "en": "Separation of duties · every change is audited",
    },
    "users.duties": {
        "zh-CN": "三员分立：系统管理员创建账号（不含角色）、停用/启用、解锁账号和重置密码；"
        "安全管理员分配角色、管辖区域和部门；审计员只查看审计日志。任何人不能在此修改本人账号；"
        "管理员设置的密码须由本人在下次登录时修改。三员账号只能通过命令行 "
        "python app.py users 管理（此处只可解锁）。",
        "en": "Separation of duties: the system administrator creates accounts (with no "
        "role), disables / enables and unlocks them and resets passwords; the security "
        "administrator assigns roles, area scopes and departments; the auditor only reads "
        "the audit trail. Nobody changes their own account here; a password an "
        "administrator set must be changed by its owner at the next sign-in. The three "
        "administrators' accounts are managed with python app.py users (here they can "
        "only be unlocked).",
    },
    # --- filters and list ---
    "users.filter.text": {"zh-CN": "查找", "en": "Find"},
    "users.filter.text_placeholder": {
        "zh-CN": "用户名、姓名、区域名称或代码",
        "en": "Username, name, area name or code",
    },
    "users.filter.role": {"zh-CN": "角色", "en": "Role"},
    "users.filter.role_all": {"zh-CN": "全部角色", "en": "All roles"},
    "users.search": {"zh-CN": "查询", "en": "Search"},
    "users.list.title": {"zh-CN": "账号列表", "en": "Accounts"},
    "users.list.count": {"zh-CN": "共 {n} 个账号", "en": "{n} accounts"},
    "users.list.more": {
        "zh-CN": "仅显示前 {n} 个账号，请缩小查找范围",
        "en": "Only the first {n} accounts are shown; narrow the search",
    },
    "users.list.none": {"zh-CN": "没有符合条件的账号", "en": "No matching accounts"},
    "users.col.username": {"zh-CN": "用户名", "en": "Username"},
    "users.col.display_name": {"zh-CN": "姓名", "en": "Name"},
    "users.col.role": {"zh-CN": "角色", "en": "Role"},
    "users.col.area": {"zh-CN": "管辖区域", "en": "Area scope"},
    "users.col.department": {"zh-CN": "部门", "en": "Department"},
    "users.col.state": {"zh-CN": "状态", "en": "State"},
    "users.col.locked_until": {"zh-CN": "锁定至", "en": "Locked until"},
    "users.col.failed_logins": {"zh-CN": "登录失败", "en": "Failed sign-ins"},
    "users.col.password_changed_at": {"zh-CN": "密码修改时间", "en": "Password changed"},
    "users.col.created_at": {"zh-CN": "创建时间", "en": "Created"},
    "users.col.actions": {"zh-CN": "操作", "en": "Actions"},
    "users.state.active": {"zh-CN": "正常", "en": "Active"},
    "users.state.disabled": {"zh-CN": "已停用", "en": "Disabled"},
    "users.state.locked": {"zh-CN": "已锁定", "en": "Locked"},
    "users.kiosk": {"zh-CN": "大屏系统账号", "en": "Wall-screen system account"},
    "users.yourself": {"zh-CN": "本人", "en": "You"},
    "users.manage": {"zh-CN": "管理", "en": "Manage"},
    # --- create ---
    "users.create.title": {"zh-CN": "新建账号", "en": "New account"},
    "users.create.no_role": {
        "zh-CN": "新账号没有角色，安全管理员分配角色和管辖区域后才能使用；本人首次登录须修改密码。",
        "en": "A new account has no role: it can be used once the security administrator "
        "assigns one; its owner must change the password at the first sign-in.",
    },
    "error.users.not_your_duty": {
        "zh-CN": "三员分立：“{duty}”由{owners}负责",
        "en": "Separation of duties: {duty} is for {owners}",
    },
    "users.duty.view": {"zh-CN": "查看账号", "en": "viewing accounts"},
    "users.duty.create": {"zh-CN": "创建账号", "en": "creating this account"},
    "users.duty.assign": {
        "zh-CN": "分配角色、区域和部门",
        "en": "assigning role, area and department",
    },
    "users.duty.disable": {"zh-CN": "停用或启用账号", "en": "disabling or enabling it"},
    "users.duty.unlock": {"zh-CN": "解锁账号", "en": "unlocking it"},
    "users.duty.reset_password": {"zh-CN": "重置密码", "en": "resetting its password"},
    "users.actor.sysadmin": {"zh-CN": "系统管理员", "en": "the system administrator"},
    "users.actor.secadmin": {"zh-CN": "安全管理员", "en": "the security administrator"},
    "users.actor.auditor": {"zh-CN": "审计员", "en": "the auditor"},
    "users.actor.installer": {
        "zh-CN": "服务器命令行（python app.py users）",
        "en": "the server's command line (python app.py users)",
    },
    "users.actor.nobody": {"zh-CN": "任何人都不能", "en": "nobody"},
    "users.field.username": {"zh-CN": "用户名", "en": "Username"},
    "users.field.username_hint": {
        "zh-CN": "字母、数字、. _ -",
        "en": "Letters, digits, . _ -",
    },
    "users.field.display_name": {"zh-CN": "姓名", "en": "Name"},
    "users.field.role": {"zh-CN": "角色", "en": "Role"},
    "users.field.role_pick": {"zh-CN": "选择角色", "en": "Choose a role"},
    "users.field.area": {"zh-CN": "管辖区域代码", "en": "Area code"},
    "users.field.area_hint": {
        "zh-CN": "区县 6 位、街道/镇 9 位、社区 12 位或网格 15 位代码（可补 0 至 12/15 位）；"
        "全市留空或填全市代码",
        "en": "6-digit county, 9-digit street/town, 12-digit community or 15-digit grid code "
        "(or padded with zeros to 12/15); empty or the city's code for the whole city",
    },
    "users.field.department": {"zh-CN": "部门（部门人员）", "en": "Department (department staff)"},
    "users.field.department_none": {"zh-CN": "无", "en": "None"},
    "users.field.password": {"zh-CN": "初始密码", "en": "Initial password"},
    "users.field.password_hint": {
        "zh-CN": "留空则自动生成强密码（仅显示一次）",
        "en": "Empty: a strong one is generated (shown once)",
    },
    "users.create": {"zh-CN": "创建账号", "en": "Create account"},
    # --- selected account ---
    "users.detail.title": {"zh-CN": "账号详情", "en": "Account"},
    "users.detail.pick": {
        "zh-CN": "在列表中点击“管理”选择一个账号",
        "en": "Click “Manage” in the list to choose an account",
    },
    "users.detail.self": {
        "zh-CN": "这是您本人的账号，不能在此修改。",
        "en": "This is your own account; it cannot be changed here.",
    },
    "users.detail.kiosk": {
        "zh-CN": "大屏系统账号随其令牌管理（python app.py tokens），此处只读。",
        "en": "A wall-screen system account follows its token (python app.py tokens); "
        "read-only here.",
    },
    "users.detail.admin": {
        "zh-CN": "三员账号只能通过命令行管理，此处只可解锁。",
        "en": "Administrators' accounts are managed from the command line; here they can "
        "only be unlocked.",
    },
    "users.section.account": {
        "zh-CN": "账号操作（系统管理员）",
        "en": "Account (system administrator)",
    },
    "users.section.permissions": {
        "zh-CN": "权限变更（安全管理员）",
        "en": "Permissions (security administrator)",
    },
    "users.disable": {"zh-CN": "停用账号", "en": "Disable"},
    "users.enable": {"zh-CN": "启用账号", "en": "Enable"},
    "users.unlock": {"zh-CN": "解除锁定", "en": "Unlock"},
    "users.reset": {"zh-CN": "重置密码", "en": "Reset password"},
    "users.reset_hint": {
        "zh-CN": "新密码；留空则自动生成",
        "en": "New password; empty: generated",
    },
    "users.save_permissions": {"zh-CN": "保存权限", "en": "Save permissions"},
    # --- results ---
    "users.done.create": {"zh-CN": "已创建账号“{username}”", "en": "Account '{username}' created"},
    "users.done.disable": {
        "zh-CN": "已停用账号“{username}”，其会话已全部结束",
        "en": "Account '{username}' disabled; its sessions have ended",
    },
    "users.done.enable": {"zh-CN": "已启用账号“{username}”", "en": "Account '{username}' enabled"},
    "users.done.unlock": {
        "zh-CN": "已解除账号“{username}”的登录锁定",
        "en": "Account '{username}' unlocked",
    },
    "users.done.reset_password": {
        "zh-CN": "已重置账号“{username}”的密码，其会话已全部结束",
        "en": "Password of '{username}' reset; its sessions have ended",
    },
    "users.done.change_permissions": {
        "zh-CN": "已变更账号“{username}”的权限，其会话已全部结束",
        "en": "Permissions of '{username}' changed; its sessions have ended",
    },
    "users.secret": {
        "zh-CN": "“{username}”的密码（仅显示这一次，请通过安全渠道告知本人）：",
        "en": "Password of '{username}' (shown this once; give it to its owner securely):",
    },
    # --- errors ---
    "error.users.bad_form": {
        "zh-CN": "表单数据不正确，请刷新页面后重试",
        "en": "Malformed form; reload the page and try again",
    },
    "error.users.filter_long": {
        "zh-CN": "查找内容过长（最多 {max} 个字符）",
        "en": "Search text too long (at most {max} characters)",
    },
    "error.users.username_format": {
        "zh-CN": "用户名须为 2–64 个字母、数字或 . _ -，并以字母或数字开头",
        "en": "Usernames are 2–64 letters, digits or . _ -, starting with a letter or digit",
    },
    "error.users.username_reserved": {
        "zh-CN": "以“{prefix}”开头的用户名保留给大屏系统账号",
        "en": "Usernames starting with '{prefix}' are reserved for wall-screen accounts",
    },
    "error.users.display_name": {
        "zh-CN": "姓名过长（最多 {max} 个字符）",
        "en": "Name too long (at most {max} characters)",
    },
    "error.users.password_long": {
        "zh-CN": "密码过长（最多 {max} 个字符）",
        "en": "Password too long (at most {max} characters)",
    },
    "error.users.unknown_role": {"zh-CN": "未知角色“{role}”", "en": "Unknown role '{role}'"},
    "error.users.unknown_area": {
        "zh-CN": "没有代码为“{code}”的区域",
        "en": "No area has the code '{code}'",
    },
    "error.users.unknown_department": {
        "zh-CN": "没有代码为“{code}”的部门",
        "en": "No department has the code '{code}'",
    },
    "error.users.area_required": {
        "zh-CN": "街道/社区督导和网格员须指定管辖区域",
        "en": "Supervisors and grid workers need an area scope",
    },
    "error.users.area_not_allowed": {
        "zh-CN": "系统管理员、安全管理员和审计员不接触业务数据，不能指定管辖区域",
        "en": "The system, security and audit administrators see no business data: no area scope",
    },
    "error.users.grid_required": {
        "zh-CN": "网格员的管辖区域须为网格（15 位代码）",
        "en": "A grid worker's area must be a grid (15-digit code)",
    },
    "error.users.department_required": {
        "zh-CN": "部门人员须指定部门",
        "en": "Department staff need a department",
    },
    "error.users.department_not_allowed": {
        "zh-CN": "只有部门人员可以指定部门",
        "en": "Only department staff have a department",
    },
    "error.users.self": {
        "zh-CN": "不能在此修改本人账号",
        "en": "You cannot change your own account here",
    },
    "error.users.kiosk": {
        "zh-CN": "大屏系统账号只能随其令牌管理（python app.py tokens）",
        "en": "Wall-screen system accounts follow their token (python app.py tokens)",
    },
    "error.users.not_found": {"zh-CN": "账号不存在", "en": "No such account"},
    "error.users.no_change": {
        "zh-CN": "没有需要变更的内容",
        "en": "Nothing to change",
    },
    "error.users.not_locked": {
        "zh-CN": "该账号未被锁定",
        "en": "This account is not locked",
    },
    "error.users.stale": {
        "zh-CN": "账号“{username}”在表单显示后已被修改，未执行本次操作；已显示其最新状态，请核对后重试",
        "en": "Account '{username}' changed after this form was shown; nothing was done. "
        "Its current state is shown now: check it and try again",
    },
}
