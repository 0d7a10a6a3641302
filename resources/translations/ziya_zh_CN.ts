<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="241"/>
        <source>About Ziya Desktop</source>
        <translation>关于 Ziya Desktop</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="242"/>
        <source>Ziya Desktop {version}</source>
        <translation>Ziya Desktop {version}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="245"/>
        <source>An offline writing assistant: the Ziya-Writing-LLaMa-13B model runs on this computer through llama.cpp, and no text leaves it.</source>
        <translation>离线写作助手：Ziya-Writing-LLaMa-13B 模型通过 llama.cpp 在这台电脑上运行，文字不会离开这台电脑。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="249"/>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="250"/>
        <source>Operating system</source>
        <translation>操作系统</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="251"/>
        <source>Folders</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="256"/>
        <source>Open Folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="257"/>
        <source>Show this folder in the file manager</source>
        <translation>在文件管理器中显示此文件夹</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="258"/>
        <source>Copy Details</source>
        <translation>复制详情</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="259"/>
        <source>Copy the versions and folders, e.g. for a bug report</source>
        <translation>复制版本和文件夹信息，例如用于报告问题</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="263"/>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="264"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="265"/>
        <source>Your templates</source>
        <translation>我的模板</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="266"/>
        <source>Logs</source>
        <translation>运行日志</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="267"/>
        <source>Journal of unsaved edits</source>
        <translation>未保存修改的日志（用于崩溃恢复）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="268"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
</context>
<context>
    <name>Contender</name>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="62"/>
        <source>contender name {name} must be 1 to 64 characters without spaces at the ends or , : = /</source>
        <translation>参评者名称 {name} 必须为 1 到 64 个字符，首尾不能有空格，且不能包含 , : = /</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="69"/>
        <source>contender {name} needs either a model file or a server</source>
        <translation>参评者 {name} 需要指定模型文件或服务器（二者选一）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="77"/>
        <source>contender {name}: the seed must be a whole number from 0 to {high}</source>
        <translation>参评者 {name}：随机种子必须是 0 到 {high} 之间的整数</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="132"/>
        <source>sampling must be a table of settings</source>
        <translation>sampling 必须是由采样设置组成的表</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="137"/>
        <source>unknown sampling settings: {keys}</source>
        <translation>未知的采样设置：{keys}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="153"/>
        <source>a contender must be a table</source>
        <translation>每个参评者必须是一个表</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="156"/>
        <source>unknown keys: {keys}</source>
        <translation>未知的键：{keys}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="161"/>
        <source>{key} must be text</source>
        <translation>{key} 必须是文本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="164"/>
        <source>server_model and quantization must be text</source>
        <translation>server_model 和 quantization 必须是文本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="184"/>
        <source>{setting} must be a number, not {value}</source>
        <translation>{setting} 必须是数字，而不是 {value}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="204"/>
        <source>a contender is NAME=PATH.gguf[,setting=value...], not {spec}</source>
        <translation>参评者的格式是 NAME=PATH.gguf[,设置=值...]，而不是 {spec}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="216"/>
        <source>expected setting=value, not {item}</source>
        <translation>应为 设置=值，而不是 {item}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="226"/>
        <source>unknown setting {key}: choose from {known}</source>
        <translation>未知设置 {key}：可选 {known}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="252"/>
        <source>cannot read the contenders: {reason}</source>
        <translation>无法读取参评者文件：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="256"/>
        <source>expected [[contenders]] tables only</source>
        <translation>只能包含 [[contenders]] 表</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="263"/>
        <source>contender #{n}: {problem}</source>
        <translation>第 {n} 个参评者：{problem}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="276"/>
        <source>a run compares at least two contenders</source>
        <translation>一次评测至少要比较两个参评者</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/contenders.py" line="281"/>
        <source>two contenders are named {name}</source>
        <translation>有两个参评者都叫 {name}</translation>
    </message>
</context>
<context>
    <name>DocumentJournal</name>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="221"/>
        <source>the journal file is empty</source>
        <translation>日志文件为空</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="224"/>
        <source>the journal file is too large to be one of ours</source>
        <translation>日志文件过大，不可能是本应用的日志</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="230"/>
        <source>the journal file is not text (byte {offset})</source>
        <translation>日志文件不是文本（第 {offset} 字节）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="236"/>
        <source>the journal file is damaged or cut short (at byte {offset})</source>
        <translation>日志文件已损坏或不完整（第 {offset} 字节处）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="242"/>
        <source>the journal file is damaged (nested too deeply)</source>
        <translation>日志文件已损坏（嵌套过深）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="247"/>
        <source>the journal file is damaged (a value out of any range)</source>
        <translation>日志文件已损坏（有超出范围的数值）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="250"/>
        <source>the file is not a Ziya Desktop journal</source>
        <translation>该文件不是 Ziya Desktop 日志</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="253"/>
        <source>the journal has format version {version}, this app reads version {ours}</source>
        <translation>日志格式版本为 {version}，本应用只能读取版本 {ours}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="259"/>
        <source>the journal has no valid document id</source>
        <translation>日志中没有有效的文档 id</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="262"/>
        <source>the journal&apos;s file path is not valid</source>
        <translation>日志中的文件路径无效</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="281"/>
        <location filename="../../ziya_desktop/documents/journal.py" line="304"/>
        <location filename="../../ziya_desktop/documents/journal.py" line="319"/>
        <location filename="../../ziya_desktop/documents/journal.py" line="333"/>
        <location filename="../../ziya_desktop/documents/journal.py" line="340"/>
        <source>the journal&apos;s field “{name}” is missing or not valid</source>
        <translation>日志字段“{name}”缺失或无效</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="376"/>
        <source>the journal is not a regular file</source>
        <translation>日志不是普通文件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/journal.py" line="379"/>
        <source>the journal file could not be read: {cause}</source>
        <translation>无法读取日志文件：{cause}</translation>
    </message>
</context>
<context>
    <name>DocumentRecovery</name>
    <message>
        <location filename="../../ziya_desktop/documents/recovery.py" line="160"/>
        <source>“{name}” is not a regular file (a named pipe, device or folder); it was not opened.</source>
        <translation>“{name}”不是普通文件（而是命名管道、设备或文件夹），未打开。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/recovery.py" line="233"/>
        <source>{name}: {reason}. It was moved to {target}.</source>
        <translation>{name}：{reason}。已将其移至 {target}。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/recovery.py" line="236"/>
        <source>{name}: {reason}.</source>
        <translation>{name}：{reason}。</translation>
    </message>
</context>
<context>
    <name>DocumentStorage</name>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="145"/>
        <source>“{name}” is {kind}, not a document.</source>
        <translation>“{name}”是{kind}，不是文档。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="131"/>
        <source>“{name}” was not found.</source>
        <translation>找不到“{name}”。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="132"/>
        <source>It may have been moved, renamed or deleted.</source>
        <translation>它可能已被移动、重命名或删除。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="136"/>
        <source>You do not have permission to read “{name}”.</source>
        <translation>您没有读取“{name}”的权限。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="137"/>
        <source>Ask the owner of the file for access, or copy it somewhere you can read it.</source>
        <translation>请向文件所有者申请访问权限，或将文件复制到您可以读取的位置。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="174"/>
        <source>“{name}” is a folder, not a document.</source>
        <translation>“{name}”是文件夹，不是文档。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="153"/>
        <source>“{name}” could not be read: {cause}.</source>
        <translation>无法读取“{name}”：{cause}。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="164"/>
        <source>a named pipe (FIFO)</source>
        <translation>命名管道（FIFO）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="166"/>
        <source>a device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="168"/>
        <source>a socket</source>
        <translation>套接字</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="169"/>
        <source>a special file</source>
        <translation>特殊文件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="180"/>
        <source>“{name}” is {size} MiB; documents larger than {limit} MiB are not opened.</source>
        <translation>“{name}”大小为 {size} MiB；超过 {limit} MiB 的文档不予打开。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="183"/>
        <source>Split it into smaller documents.</source>
        <translation>请将其拆分为较小的文档。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="191"/>
        <source>“{name}” is UTF-16 text; Ziya Desktop reads UTF-8 only.</source>
        <translation>“{name}”是 UTF-16 文本；Ziya Desktop 只能读取 UTF-8 文本。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="194"/>
        <source>Convert the file to UTF-8 in another editor (Save As… with the UTF-8 encoding) and open it again.</source>
        <translation>请在其他编辑器中将文件转换为 UTF-8（“另存为…”时选择 UTF-8 编码），然后重新打开。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="201"/>
        <source>“{name}” is not a text document (it contains binary data at byte {offset}).</source>
        <translation>“{name}”不是文本文档（第 {offset} 字节处含有二进制数据）。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="204"/>
        <source>Open a .md or .txt file. To bring in a Word document, save it as plain text first.</source>
        <translation>请打开 .md 或 .txt 文件。如需导入 Word 文档，请先将其另存为纯文本。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="215"/>
        <source>“{name}” is not UTF-8 text: byte {offset} (0x{byte}) cannot be read.</source>
        <translation>“{name}”不是 UTF-8 文本：无法读取第 {offset} 字节（0x{byte}）。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="218"/>
        <source>The file may be in GBK, GB 18030 or another encoding. Convert it to UTF-8 in another editor (Save As… with the UTF-8 encoding) and open it again.</source>
        <translation>该文件可能是 GBK、GB 18030 或其他编码。请在其他编辑器中将其转换为 UTF-8（“另存为…”时选择 UTF-8 编码），然后重新打开。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="270"/>
        <source>“{name}” was not saved: the text contains a character UTF-8 cannot store at position {pos}.</source>
        <translation>“{name}”未保存：文本在位置 {pos} 处含有 UTF-8 无法存储的字符。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="282"/>
        <source>“{name}” was saved, but the system could not confirm it reached the disk: {cause}.</source>
        <translation>“{name}”已保存，但系统无法确认其已写入磁盘：{cause}。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="286"/>
        <source>Save again; if this keeps happening, save to another disk as well.</source>
        <translation>请再次保存；如果问题反复出现，请同时保存到另一个磁盘。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="291"/>
        <source>“{name}” could not be saved: {cause}.</source>
        <translation>无法保存“{name}”：{cause}。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="310"/>
        <source>“{name}” was not saved: the text contains a character a text document cannot hold (U+{code}) at line {line}, column {column}.</source>
        <translation>“{name}”未保存：第 {line} 行第 {column} 列有文本文档无法容纳的字符（U+{code}）。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="315"/>
        <source>Nothing was changed on disk; delete that character and save again.</source>
        <translation>磁盘上的文件没有改动；删除该字符后再保存。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="327"/>
        <source>“{name}” is {kind}, not a document file; nothing was written to it.</source>
        <translation>“{name}”是{kind}，不是文档文件；没有向它写入任何内容。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="397"/>
        <source>the disk is full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="399"/>
        <source>the disk is read-only</source>
        <translation>磁盘为只读</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="401"/>
        <source>no permission to write in {folder}</source>
        <translation>没有写入 {folder} 的权限</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="403"/>
        <source>the file is larger than this disk or system allows</source>
        <translation>文件超出了此磁盘或系统允许的大小</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="405"/>
        <source>the disk reported an input/output error</source>
        <translation>磁盘报告了输入/输出错误</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="407"/>
        <source>the folder {folder} does not exist</source>
        <translation>文件夹 {folder} 不存在</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="409"/>
        <source>a folder with that name is in the way</source>
        <translation>已存在同名文件夹</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/storage.py" line="411"/>
        <source>the file name is too long</source>
        <translation>文件名过长</translation>
    </message>
</context>
<context>
    <name>DocumentTab</name>
    <message>
        <location filename="../../ziya_desktop/ui/editor/document_tab.py" line="202"/>
        <source>Untitled {number}</source>
        <translation>未命名 {number}</translation>
    </message>
</context>
<context>
    <name>Engine</name>
    <message>
        <location filename="../../ziya_desktop/engine/engine.py" line="178"/>
        <location filename="../../ziya_desktop/engine/engine.py" line="229"/>
        <location filename="../../ziya_desktop/engine/trial_load.py" line="193"/>
        <location filename="../../ziya_desktop/ui/generation/engine_worker.py" line="179"/>
        <location filename="../../ziya_desktop/ui/generation/engine_worker.py" line="183"/>
        <location filename="../../ziya_desktop/ui/generation/engine_worker.py" line="206"/>
        <source>model load cancelled</source>
        <translation>已取消加载模型</translation>
    </message>
</context>
<context>
    <name>ErrorHints</name>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="46"/>
        <source>Check the path, or choose another model file.</source>
        <translation>请检查路径，或选择其他模型文件。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="52"/>
        <source>The file is damaged or not a GGUF model. Download or convert it again.</source>
        <translation>文件已损坏或不是 GGUF 模型。请重新下载或转换。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="58"/>
        <source>Ziya Desktop runs LLaMA-architecture GGUF models such as Ziya-Writing-LLaMa-13B-v1.</source>
        <translation>Ziya Desktop 运行 LLaMA 架构的 GGUF 模型，例如 Ziya-Writing-LLaMa-13B-v1。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="66"/>
        <source>Close other programs to free memory, or use a smaller quantization such as Q4_K_M.</source>
        <translation>请关闭其他程序以释放内存，或改用更小的量化版本（如 Q4_K_M）。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="76"/>
        <source>Load a model first.</source>
        <translation>请先加载模型。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="82"/>
        <source>Shorten the instruction or select less text; the model reads at most its context window.</source>
        <translation>请缩短指令或少选一些文字；模型一次最多只能读取其上下文窗口内的内容。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="111"/>
        <source>Try again; if it keeps happening, reload the model with fewer GPU layers.</source>
        <translation>请重试；如果仍然出现，请减少 GPU 层数后重新加载模型。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="122"/>
        <source>Choose a value within the range given; the Sampling Settings dialog offers only values that work.</source>
        <translation>请选择所给范围内的数值；“采样设置”对话框只提供可用的数值。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="136"/>
        <source>Check the file, or open another one.</source>
        <translation>请检查该文件，或打开其他文件。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="142"/>
        <source>Nothing was changed on disk; use Save As to save elsewhere.</source>
        <translation>磁盘上的文件未作任何改动；请用“另存为”保存到其他位置。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="148"/>
        <source>Nothing was written; choose another folder or file name and export again.</source>
        <translation>未写入任何内容；请选择其他文件夹或文件名后重新导出。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="154"/>
        <source>Reinstall Ziya Desktop; the model catalog that ships with it is damaged.</source>
        <translation>请重新安装 Ziya Desktop；随附的模型目录已损坏。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="160"/>
        <source>Turn off offline mode (or unset ZIYA_OFFLINE) to download, or import a model file from disk.</source>
        <translation>请关闭离线模式（或取消 ZIYA_OFFLINE 设置）后下载，或从磁盘导入模型文件。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="168"/>
        <source>Check the network connection and start the download again; it continues where it stopped.</source>
        <translation>请检查网络连接后重新开始下载；下载会从中断处继续。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="179"/>
        <source>Nothing was written. Download from the official hub or a mirror (HF_ENDPOINT) you trust.</source>
        <translation>没有写入任何内容。请从官方模型库或你信任的镜像（HF_ENDPOINT）下载。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="195"/>
        <source>Start the download again; the damaged file will be fetched anew.</source>
        <translation>请重新开始下载；损坏的文件会重新获取。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="208"/>
        <source>Free some disk space or choose another folder, then try again.</source>
        <translation>请释放一些磁盘空间或选择其他文件夹，然后重试。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="219"/>
        <source>Check that the file is readable and the disk is not full, then import it again.</source>
        <translation>请确认文件可读且磁盘未满，然后重新导入。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="231"/>
        <source>Place the cursor after some text, or select the text the action should work on.</source>
        <translation>请把光标放在一段文字之后，或选中要处理的文字。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="239"/>
        <source>Write a first sentence, or place the cursor after the text to continue.</source>
        <translation>请先写一句开头，或把光标放在要续写的文字之后。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="245"/>
        <source>Say how to rewrite the selection, e.g. “改成第一人称”.</source>
        <translation>请说明如何改写所选文字，例如“改成第一人称”。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="251"/>
        <source>Fix or remove the template file; the other templates are still available.</source>
        <translation>请修正或删除该模板文件；其他模板仍可使用。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="266"/>
        <source>Correct the field in the form and try again.</source>
        <translation>请更正表单中的该字段后重试。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="276"/>
        <source>Fill in the field; the model needs it to write the body.</source>
        <translation>请填写该字段；模型需要它来撰写正文。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="283"/>
        <source>Fix what the message names and start the run again; answers already made are kept.</source>
        <translation>请修正消息中指出的问题后重新开始评测；已生成的回答会保留。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="291"/>
        <source>Correct the file at the line named, then try again.</source>
        <translation>请修改文件中指出的那一行，然后重试。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="307"/>
        <source>Check the judge&apos;s name and that the run folder is writable; verdicts already given are kept.</source>
        <translation>请检查评审人姓名以及评测文件夹是否可写；已给出的评判均已保留。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="318"/>
        <source>Check the server&apos;s address and that it is running, or go back to the local model (Model menu).</source>
        <translation>请检查服务器地址以及服务器是否在运行，或改回使用本机模型（“模型”菜单）。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="326"/>
        <source>Give the address like http://127.0.0.1:8080 or https://llm.example.org.</source>
        <translation>请按 http://127.0.0.1:8080 或 https://llm.example.org 的形式填写地址。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="332"/>
        <source>Check the address and port, that the server (llama-server or vLLM) runs, and the network.</source>
        <translation>请检查地址和端口、服务器（llama-server 或 vLLM）是否在运行，以及网络连接。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="340"/>
        <source>The server may be busy or the network slow: try again, or allow a longer timeout.</source>
        <translation>服务器可能正忙或网络较慢：请重试，或设置更长的超时时间。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="348"/>
        <source>The server&apos;s message says what it refused; check the model name too.</source>
        <translation>服务器的消息说明了它拒绝的原因；也请检查模型名称。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="359"/>
        <source>Check the API key in Connect to Server (on the command line: --api-key or ZIYA_API_KEY).</source>
        <translation>请在“连接服务器”中检查 API 密钥（命令行中为 --api-key 或 ZIYA_API_KEY）。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="367"/>
        <source>The text written so far was kept. Check the server, then continue writing from the cursor.</source>
        <translation>已写出的文字已保留。请检查服务器，然后从光标处继续写作。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="375"/>
        <source>Check that the address is an OpenAI-compatible server: llama-server, llama-cpp-python or vLLM.</source>
        <translation>请确认该地址是兼容 OpenAI 接口的服务器：llama-server、llama-cpp-python 或 vLLM。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="383"/>
        <source>Give the server a certificate from a trusted authority, or install the team&apos;s certificate authority on this computer.</source>
        <translation>请为服务器配置受信任机构签发的证书，或在本机安装团队的证书颁发机构。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="393"/>
        <source>Choose one of the server&apos;s models (Fetch Models in Connect to Server, or --server-model).</source>
        <translation>请选择服务器上的某个模型（“连接服务器”中的“获取模型”，或 --server-model）。</translation>
    </message>
    <message>
        <location filename="../../converters/errors.py" line="33"/>
        <source>Check that the folder holds a complete Hugging Face LLaMA checkpoint (config, tokenizer, weights).</source>
        <translation>请确认该文件夹包含完整的 Hugging Face LLaMA 检查点（配置、分词器和权重）。</translation>
    </message>
    <message>
        <location filename="../../converters/errors.py" line="42"/>
        <source>Only use checkpoints from a source you trust; this file tries to run code when loaded.</source>
        <translation>请只使用可信来源的检查点；此文件在加载时试图执行代码。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote.py" line="42"/>
        <source>Turn off offline mode (or unset ZIYA_OFFLINE) to use a server, or use the local model.</source>
        <translation>要使用服务器，请关闭离线模式（或取消设置 ZIYA_OFFLINE），或改用本机模型。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/judgements.py" line="261"/>
        <source>Type your name (up to 80 characters, on one line) to judge.</source>
        <translation>请输入您的姓名（一行，最多 80 个字符）后开始评判。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/kl.py" line="212"/>
        <source>The KL divergence compares quantizations of one model; choose two files of the same model.</source>
        <translation>KL 散度用于比较同一模型的不同量化版本；请选择同一模型的两个文件。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/kl.py" line="331"/>
        <source>Measure the KL divergence between two local GGUF files.</source>
        <translation>请在两个本地 GGUF 文件之间测量 KL 散度。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/run_store.py" line="171"/>
        <source>Give the folder an evaluation run was made in, or make one: ziya-desktop eval run FOLDER --contender NAME=MODEL.gguf --contender NAME=MODEL.gguf</source>
        <translation>请给出做过评测的文件夹，或新建一次评测：ziya-desktop eval run FOLDER --contender NAME=MODEL.gguf --contender NAME=MODEL.gguf</translation>
    </message>
</context>
<context>
    <name>EvalRun</name>
    <message>
        <location filename="../../ziya_desktop/evaluation/run_store.py" line="124"/>
        <source>the run has no prompts to ask</source>
        <translation>本次评测没有任何提示</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/run_store.py" line="129"/>
        <source>{folder} is not empty: a new run needs an empty folder</source>
        <translation>{folder} 不是空文件夹：新的评测需要一个空文件夹</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/run_store.py" line="138"/>
        <source>cannot write the run in {folder}: {reason}</source>
        <translation>无法在 {folder} 中写入评测：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/run_store.py" line="169"/>
        <source>no evaluation run here (run.json is missing)</source>
        <translation>这里没有评测（缺少 run.json）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/run_store.py" line="179"/>
        <source>run.json cannot be read: {reason}</source>
        <translation>无法读取 run.json：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/run_store.py" line="185"/>
        <source>run.json is not a valid run: {reason}</source>
        <translation>run.json 不是有效的评测：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/run_store.py" line="231"/>
        <source>not an answer: {reason}</source>
        <translation>不是有效的回答：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/run_store.py" line="255"/>
        <source>an answer for {contender} / {prompt} does not belong to this run</source>
        <translation>{contender} / {prompt} 的回答不属于本次评测</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/run_store.py" line="264"/>
        <source>cannot save the answer in {path}: {reason}</source>
        <translation>无法将回答保存到 {path}：{reason}</translation>
    </message>
</context>
<context>
    <name>EvalRunner</name>
    <message>
        <location filename="../../ziya_desktop/evaluation/runner.py" line="117"/>
        <source>contender {name}: {problem}</source>
        <translation>参评者 {name}：{problem}</translation>
    </message>
</context>
<context>
    <name>EvaluationCommands</name>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/evaluation_actions.py" line="56"/>
        <source>Open Evaluation Run</source>
        <translation>打开评测</translation>
    </message>
</context>
<context>
    <name>Export</name>
    <message>
        <location filename="../../ziya_desktop/documents/export/__init__.py" line="49"/>
        <source>The export format “{fmt}” is not supported.</source>
        <translation>不支持导出格式“{fmt}”。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/__init__.py" line="50"/>
        <source>Export to HTML, PDF or DOCX.</source>
        <translation>请导出为 HTML、PDF 或 DOCX。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/base.py" line="106"/>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/base.py" line="145"/>
        <source>Cannot export “{name}”: the format “{suffix}” is not supported.</source>
        <translation>无法导出“{name}”：不支持格式“{suffix}”。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/base.py" line="146"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/base.py" line="148"/>
        <source>Choose a file name ending in .html, .pdf or .docx.</source>
        <translation>请选择以 .html、.pdf 或 .docx 结尾的文件名。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/base.py" line="165"/>
        <source>“{name}” was exported, but the system could not confirm it reached the disk: {cause}.</source>
        <translation>“{name}”已导出，但系统无法确认其已写入磁盘：{cause}。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/base.py" line="168"/>
        <source>Export again; if this keeps happening, export to another disk.</source>
        <translation>请再次导出；如果问题反复出现，请导出到另一个磁盘。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/base.py" line="171"/>
        <source>“{name}” could not be exported: {cause}.</source>
        <translation>无法导出“{name}”：{cause}。</translation>
    </message>
</context>
<context>
    <name>FileCommands</name>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="67"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="69"/>
        <source>Documents (*.md *.markdown *.txt);;All files (*)</source>
        <translation>文档 (*.md *.markdown *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="114"/>
        <source>Save As</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="114"/>
        <source>Markdown (*.md);;Plain text (*.txt)</source>
        <translation>Markdown (*.md);;纯文本 (*.txt)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="150"/>
        <source>{count} character(s) that a text document cannot hold (such as NUL) were removed before saving.</source>
        <translation>保存前删除了 {count} 个文本文档无法容纳的字符（如 NUL）。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="152"/>
        <source>Undo (Ctrl+Z) brings them back in the editor; the saved file does not have them.</source>
        <translation>撤销（Ctrl+Z）可在编辑器中恢复它们；保存的文件中没有这些字符。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="155"/>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="169"/>
        <source>“{name}” was reloaded from disk.</source>
        <translation>已从磁盘重新载入“{name}”。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="170"/>
        <source>Undo (Ctrl+Z) brings back the text you had before.</source>
        <translation>撤销（Ctrl+Z）可恢复你之前的文字。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="179"/>
        <source>File changed on disk</source>
        <translation>磁盘上的文件已更改</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="181"/>
        <source>“{name}” was changed by another program since it was opened or last saved here. Saving now replaces those changes with your text.</source>
        <translation>自在此打开或上次保存以来，“{name}”已被其他程序修改。现在保存会用你的文字替换那些修改。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="185"/>
        <source>File deleted on disk</source>
        <translation>磁盘上的文件已删除</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="187"/>
        <source>“{name}” was moved or deleted by another program since it was opened or last saved here.</source>
        <translation>自在此打开或上次保存以来，“{name}”已被其他程序移动或删除。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="190"/>
        <source>File is read-only</source>
        <translation>文件为只读</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="191"/>
        <source>“{name}” is marked read-only. Saving replaces it anyway.</source>
        <translation>“{name}”被标记为只读。保存仍会替换它。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="198"/>
        <source>Save Anyway</source>
        <translation>仍然保存</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="198"/>
        <source>Overwrite</source>
        <translation>覆盖</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="203"/>
        <source>Reload from Disk</source>
        <translation>从磁盘重新载入</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="206"/>
        <source>Save As…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="239"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="261"/>
        <source>Exported {path}</source>
        <translation>已导出 {path}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_commands.py" line="265"/>
        <source>“{name}” was exported with stand-in fonts.</source>
        <translation>“{name}”已导出，部分字体以替代字体排版。</translation>
    </message>
</context>
<context>
    <name>FindReplaceBar</name>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="158"/>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="159"/>
        <source>Replace with</source>
        <translation>替换为</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="160"/>
        <source>Match case</source>
        <translation>区分大小写</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="161"/>
        <source>Whole words</source>
        <translation>全字匹配</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="162"/>
        <source>Do not match inside longer English words; Chinese is never split</source>
        <translation>不匹配较长英文单词中的一部分；中文不分词</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="163"/>
        <source>Regular expression</source>
        <translation>正则表达式</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="164"/>
        <source>Python syntax; use \1 or \g&lt;name&gt; in the replacement</source>
        <translation>Python 语法；替换内容中可使用 \1 或 \g&lt;name&gt;</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="165"/>
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="166"/>
        <source>Previous match (Shift+Enter)</source>
        <translation>上一个匹配项（Shift+Enter）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="167"/>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="168"/>
        <source>Next match (Enter)</source>
        <translation>下一个匹配项（Enter）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="169"/>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="170"/>
        <source>Replace all</source>
        <translation>全部替换</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="171"/>
        <source>Close (Esc)</source>
        <translation>关闭（Esc）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="291"/>
        <source>Invalid regular expression: {error}</source>
        <translation>正则表达式无效：{error}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="415"/>
        <source>Replaced {count}</source>
        <translation>已替换 {count} 处</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="428"/>
        <source>Invalid replacement: {error}</source>
        <translation>替换内容无效：{error}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="452"/>
        <source>No matches</source>
        <translation>无匹配项</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="454"/>
        <source>{current} / {total}</source>
        <translation>{current} / {total}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="458"/>
        <source>{total} matches</source>
        <translation>{total} 个匹配项</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/find_replace.py" line="460"/>
        <source>{status} · Wrapped around</source>
        <translation>{status} · 已循环查找</translation>
    </message>
</context>
<context>
    <name>FirstRunPage</name>
    <message>
        <location filename="../../ziya_desktop/ui/models/first_run_page.py" line="92"/>
        <source>Ziya Desktop needs a writing model</source>
        <translation>Ziya Desktop 需要一个写作模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/first_run_page.py" line="95"/>
        <source>The model that writes is Ziya-Writing-LLaMa-13B, run on this computer through llama.cpp: nothing you write leaves it. It is a GGUF file of 8–26 GB, depending on the quantization; Q4_K_M (about 7.9 GB) suits most computers. Get it once, and the app works offline from then on.</source>
        <translation>负责写作的是 Ziya-Writing-LLaMa-13B 模型，通过 llama.cpp 在这台电脑上运行：您写的任何内容都不会离开这台电脑。模型是一个 GGUF 文件，视量化方式不同为 8–26 GB；Q4_K_M（约 7.9 GB）适合大多数电脑。只需获取一次，之后应用即可离线使用。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/first_run_page.py" line="100"/>
        <source>Download &amp;&amp; Convert Ziya-Writing…</source>
        <translation>下载并转换 Ziya-Writing…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/first_run_page.py" line="102"/>
        <source>Download the checkpoint from the Hugging Face Hub and convert it to GGUF on this computer</source>
        <translation>从 Hugging Face Hub 下载检查点，并在这台电脑上转换为 GGUF</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/first_run_page.py" line="104"/>
        <source>Import a GGUF File…</source>
        <translation>导入 GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/first_run_page.py" line="105"/>
        <source>A Ziya-Writing GGUF you already have, copied or linked</source>
        <translation>已有的 Ziya-Writing GGUF 文件，复制或链接均可</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/first_run_page.py" line="106"/>
        <source>Convert a Checkpoint Folder…</source>
        <translation>转换检查点文件夹…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/first_run_page.py" line="108"/>
        <source>A Hugging Face checkpoint folder already on disk (PyTorch or safetensors), converted to GGUF</source>
        <translation>磁盘上已有的 Hugging Face 检查点文件夹（PyTorch 或 safetensors），转换为 GGUF</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/first_run_page.py" line="111"/>
        <source>You can write, open, save and export without a model; drafting and rewriting need one.</source>
        <translation>没有模型也可以写作、打开、保存和导出；起草和改写需要模型。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/first_run_page.py" line="113"/>
        <source>Start writing without a model</source>
        <translation>先不用模型，直接写作</translation>
    </message>
</context>
<context>
    <name>GenerationController</name>
    <message>
        <location filename="../../ziya_desktop/ui/generation/generation.py" line="271"/>
        <source>The model wrote {count} control character(s) (such as NUL) that do not belong in a document; they were left out.</source>
        <translation>模型写出了 {count} 个不应出现在文档中的控制字符（如 NUL），已略去。</translation>
    </message>
</context>
<context>
    <name>GongwenPartsForm</name>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="148"/>
        <source>公文 parts</source>
        <translation>公文要素</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="150"/>
        <source>Kind (文种)</source>
        <translation>文种</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="151"/>
        <source>Upward document (请示、报告)</source>
        <translation>上行文（请示、报告）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="152"/>
        <source>Copy number</source>
        <translation>份号</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="153"/>
        <source>Classification</source>
        <translation>密级</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="154"/>
        <source>Secrecy period</source>
        <translation>保密期限</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="155"/>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="156"/>
        <source>Issuing authorities</source>
        <translation>发文机关</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="157"/>
        <source>Masthead</source>
        <translation>发文机关标志</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="158"/>
        <source>Document number</source>
        <translation>发文字号</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="159"/>
        <source>Signed off by</source>
        <translation>签发人</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="160"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="161"/>
        <source>Addressees</source>
        <translation>主送机关</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="162"/>
        <source>Attachments</source>
        <translation>附件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="163"/>
        <source>Signature</source>
        <translation>发文机关署名</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="164"/>
        <source>Date</source>
        <translation>成文日期</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="165"/>
        <source>With seal</source>
        <translation>加盖印章</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="166"/>
        <source>Note (附注)</source>
        <translation>附注</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="167"/>
        <source>Present</source>
        <translation>出席</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="168"/>
        <source>Absent</source>
        <translation>请假</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="169"/>
        <source>Also attending</source>
        <translation>列席</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="170"/>
        <source>Copies to</source>
        <translation>抄送机关</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="171"/>
        <source>Printed by</source>
        <translation>印发机关</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="172"/>
        <source>Printing date</source>
        <translation>印发日期</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="178"/>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="179"/>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="180"/>
        <source>One per line</source>
        <translation>每行一个</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="181"/>
        <source>Empty: the issuing authorities&apos; names</source>
        <translation>不填则用发文机关名称</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/editor/gongwen_form.py" line="182"/>
        <source>Empty: the issuing authorities</source>
        <translation>不填则用发文机关</translation>
    </message>
</context>
<context>
    <name>GpuSettingsWidget</name>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="148"/>
        <source>Automatic (as many as fit in free GPU memory)</source>
        <translation>自动（按可用 GPU 显存尽量多放）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="149"/>
        <source> tokens</source>
        <translation> 个 token</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="150"/>
        <source>The prompt and the answer share this window; the model was trained on 2048.</source>
        <translation>提示词和回答共用此窗口；模型训练时使用 2048。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="151"/>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="152"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="153"/>
        <source>Context size</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="154"/>
        <source>CPU threads</source>
        <translation>CPU 线程数</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="155"/>
        <source>KV cache</source>
        <translation>KV 缓存</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="157"/>
        <source>f16 (exact)</source>
        <translation>f16（精确）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="158"/>
        <source>q8_0 (about half the memory; needs flash attention)</source>
        <translation>q8_0（内存约减半；需要 flash attention）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="164"/>
        <source>The cache of the context&apos;s keys and values: 1.6 GiB for the 13B model at 2048 tokens in f16. q8_0 lets more layers fit on a GPU at a small cost in accuracy.</source>
        <translation>上下文的键值缓存：13B 模型在 2048 个词元、f16 下约 1.6 GiB。q8_0 能让更多层放进 GPU，精度损失很小。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="186"/>
        <source>0 runs on the CPU; {all} puts every layer and the output layer on the GPU.</source>
        <translation>0 表示在 CPU 上运行；{all} 表示将所有层及输出层放到 GPU 上。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="199"/>
        <source>Checking this machine…</source>
        <translation>正在检测本机…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="202"/>
        <source>No GPU found: runs on the CPU</source>
        <translation>未找到 GPU：将在 CPU 上运行</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="205"/>
        <source>{name} ({free} GB free of {total} GB)</source>
        <translation>{name}（可用 {free} GB，共 {total} GB）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="217"/>
        <source>{backend}: the model goes to the GPU chosen here.</source>
        <translation>{backend}：模型将放到此处选择的 GPU 上。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="230"/>
        <source>Automatic ({cores} physical cores)</source>
        <translation>自动（{cores} 个物理核心）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/gpu_settings.py" line="232"/>
        <source>Automatic (physical cores)</source>
        <translation>自动（物理核心数）</translation>
    </message>
</context>
<context>
    <name>JobProgressPanel</name>
    <message>
        <location filename="../../ziya_desktop/ui/models/job_runner.py" line="215"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/job_runner.py" line="235"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/job_runner.py" line="254"/>
        <source>Failed: {message}</source>
        <translation>失败：{message}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/job_runner.py" line="257"/>
        <source>Cancelled. Nothing half-made was left behind.</source>
        <translation>已取消。没有留下未完成的文件。</translation>
    </message>
</context>
<context>
    <name>JournalController</name>
    <message>
        <location filename="../../ziya_desktop/ui/files/journal_controller.py" line="191"/>
        <source>Unsaved changes could not be backed up: {cause}.</source>
        <translation>无法备份未保存的更改：{cause}。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/journal_controller.py" line="194"/>
        <source>Save your documents now, or free disk space; until then a crash could lose them.</source>
        <translation>请立即保存文档或释放磁盘空间；在此之前，一旦崩溃，这些更改可能丢失。</translation>
    </message>
</context>
<context>
    <name>JudgementError</name>
    <message>
        <location filename="../../ziya_desktop/evaluation/judgements.py" line="133"/>
        <source>the verdicts cannot be read: {reason}</source>
        <translation>无法读取评判记录：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/judgements.py" line="150"/>
        <source>not a verdict: {reason}</source>
        <translation>不是一条评判记录：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/judgements.py" line="222"/>
        <source>no round of prompt {prompt} between {first} and {second}</source>
        <translation>没有提示 {prompt} 下 {first} 与 {second} 的对比轮次</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/judgements.py" line="228"/>
        <source>not a verdict: {verdict} with {left} shown as A</source>
        <translation>不是有效的评判：{verdict}（A 为 {left}）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/judgements.py" line="245"/>
        <source>cannot save the verdict to {path}: {reason}</source>
        <translation>无法把评判保存到 {path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/judgements.py" line="260"/>
        <source>“{name}” is not a judge&apos;s name</source>
        <translation>“{name}”不是有效的评审人姓名</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/judgements.py" line="268"/>
        <source>a round compares exactly two contenders</source>
        <translation>每一轮只比较两个参评模型</translation>
    </message>
</context>
<context>
    <name>JudgingWindow</name>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="212"/>
        <source>Judge — {run}</source>
        <translation>评判 — {run}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="213"/>
        <source>&amp;Judge</source>
        <translation>评判(&amp;J)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="214"/>
        <source>&amp;Results</source>
        <translation>结果(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="215"/>
        <source>Judge:</source>
        <translation>评审人：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="218"/>
        <source>Your name</source>
        <translation>您的姓名</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="219"/>
        <source>Start judging</source>
        <translation>开始评判</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="220"/>
        <source>Instruction</source>
        <translation>写作指令</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="221"/>
        <source>A is better  (A / ←)</source>
        <translation>A 更好  (A / ←)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="222"/>
        <source>Tie  (T / ↓)</source>
        <translation>平局  (T / ↓)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="223"/>
        <source>B is better  (B / →)</source>
        <translation>B 更好  (B / →)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="224"/>
        <source>Undo last  (Ctrl+Z)</source>
        <translation>撤销上一条  (Ctrl+Z)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="294"/>
        <source>Judge this round again; your earlier verdict stands until you give a new one.</source>
        <translation>请重新评判这一轮；在给出新评判之前，原评判仍然有效。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="311"/>
        <source>A was {a}, B was {b}</source>
        <translation>A 是 {a}，B 是 {b}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="313"/>
        <source>{names} — you called it a tie.</source>
        <translation>{names} — 您判为平局。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="315"/>
        <source>{names} — you preferred {winner}.</source>
        <translation>{names} — 您选择了 {winner}。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="327"/>
        <source>Type your name above and press Enter to start.</source>
        <translation>请在上方输入姓名并按回车键开始。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="329"/>
        <source>This run has no pair of answers to judge yet.</source>
        <translation>此评测还没有可供评判的回答对。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="331"/>
        <source>All {total} rounds judged. Thank you!</source>
        <translation>全部 {total} 轮已评判完毕，谢谢！</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="334"/>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="334"/>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="335"/>
        <source>hard</source>
        <translation>难</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="335"/>
        <source>easy</source>
        <translation>易</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="337"/>
        <source>{genre} · {language} · {difficulty} · {id}</source>
        <translation>{genre} · {language} · {difficulty} · {id}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/judging_window.py" line="352"/>
        <source>{done} / {total}</source>
        <translation>{done} / {total}</translation>
    </message>
</context>
<context>
    <name>KlDivergence</name>
    <message>
        <location filename="../../ziya_desktop/evaluation/kl.py" line="209"/>
        <source>{base} and {other} do not share a vocabulary ({what})</source>
        <translation>{base} 与 {other} 的词表不同（{what}）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/kl.py" line="220"/>
        <source>the KL measurement was cancelled</source>
        <translation>KL 散度测量已取消</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/kl.py" line="242"/>
        <source>there is no text to measure the KL divergence on</source>
        <translation>没有可用于测量 KL 散度的文本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/kl.py" line="278"/>
        <source>the answers hold no tokens to measure on</source>
        <translation>回答中没有可供测量的词元</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/kl.py" line="320"/>
        <source>the run has no contender named {name} (it has {names})</source>
        <translation>本次评测中没有名为 {name} 的参评者（现有：{names}）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/kl.py" line="326"/>
        <source>{name} runs on a server, which sends sampled text, not the full next-token distributions the KL divergence needs</source>
        <translation>{name} 运行在服务器上，服务器只返回采样得到的文本，而不是 KL 散度所需的完整下一词元概率分布</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/kl.py" line="337"/>
        <source>no reference answers, and {name} has no answers yet: run the contenders first</source>
        <translation>没有参考答案，{name} 也还没有回答：请先运行参评者生成回答</translation>
    </message>
</context>
<context>
    <name>LicenceDialog</name>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="330"/>
        <source>Model Licence</source>
        <translation>模型许可</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="341"/>
        <source>Ziya-Writing-LLaMa-13B-v1, by IDEA-CCNL (the Fengshenbang project), is Meta&apos;s LLaMA-1 13B trained further for writing. Meta released the LLaMA-1 weights under a non-commercial licence meant for research, and the models made from them carry it on: do not use the model, or what you build with it, for commercial purposes.</source>
        <translation>Ziya-Writing-LLaMa-13B-v1 由 IDEA-CCNL（封神榜项目）在 Meta 的 LLaMA-1 13B 基础上针对写作进一步训练而成。Meta 以面向研究的非商业许可发布 LLaMA-1 权重，由其衍生的模型同样受此约束：请勿将本模型或基于它构建的产品用于商业用途。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/about_dialog.py" line="352"/>
        <source>The full terms: the model card on the Hugging Face hub, {model_card}, and Meta&apos;s model card for LLaMA-1, {llama_card}, which names its licence (Meta gave the licence&apos;s full text with the weights).</source>
        <translation>完整条款：Hugging Face hub 上的模型卡 {model_card}，以及 Meta 的 LLaMA-1 模型卡 {llama_card}，其中注明了许可类型（许可全文由 Meta 随权重一并提供）。</translation>
    </message>
</context>
<context>
    <name>LlamaApi</name>
    <message>
        <location filename="../../ziya_desktop/engine/llama_api.py" line="159"/>
        <source>{name}: llama.cpp could not create a context of {n_ctx} tokens</source>
        <translation>{name}：llama.cpp 无法创建 {n_ctx} 个 token 的上下文</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ziya_desktop/ui/shell/main_window.py" line="96"/>
        <location filename="../../ziya_desktop/ui/shell/main_window.py" line="268"/>
        <source>Ziya Desktop</source>
        <translation>Ziya Desktop</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/main_window.py" line="328"/>
        <source>Templates</source>
        <translation>模板</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/main_window.py" line="329"/>
        <source>Rewrite Review</source>
        <translation>改写对照</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/main_window.py" line="330"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/main_window.py" line="193"/>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/main_window.py" line="451"/>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/main_window.py" line="452"/>
        <source>“{name}” has changes that are not saved. Save them?</source>
        <translation>“{name}”有未保存的更改。是否保存？</translation>
    </message>
</context>
<context>
    <name>ModelLibraryWindow</name>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_tables.py" line="19"/>
        <source>fits on GPU</source>
        <translation>可完全放入 GPU</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_tables.py" line="21"/>
        <source>partly on GPU ({layers} of {total} layers)</source>
        <translation>部分放入 GPU（{layers} / {total} 层）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_tables.py" line="25"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_tables.py" line="26"/>
        <source>too big</source>
        <translation>过大</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="168"/>
        <source>Model Library</source>
        <translation>模型库</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="169"/>
        <source>Loading</source>
        <translation>加载</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="170"/>
        <source>Offline mode (never use the network)</source>
        <translation>离线模式（从不使用网络）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="172"/>
        <source>ZIYA_OFFLINE is set, so offline mode stays on.</source>
        <translation>已设置 ZIYA_OFFLINE，离线模式保持开启。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="173"/>
        <source>Offline: working from disk only</source>
        <translation>离线：仅使用本地磁盘</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="175"/>
        <source>Checking this computer…</source>
        <translation>正在检测本机…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="60"/>
        <source>Models on this computer</source>
        <translation>本机上的模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="62"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="63"/>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="88"/>
        <source>File type</source>
        <translation>文件类型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="64"/>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="89"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="65"/>
        <source>Valid</source>
        <translation>有效</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="66"/>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="91"/>
        <source>On this computer</source>
        <translation>本机运行</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="67"/>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="71"/>
        <source>No models yet. Download one below, or import a GGUF file or a checkpoint folder.</source>
        <translation>还没有模型。请在下方下载，或导入 GGUF 文件或检查点文件夹。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="76"/>
        <source>Use</source>
        <translation>使用</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="77"/>
        <source>Import GGUF…</source>
        <translation>导入 GGUF…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="78"/>
        <source>Import Checkpoint Folder…</source>
        <translation>导入检查点文件夹…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="79"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="80"/>
        <source>Show in File Manager</source>
        <translation>在文件管理器中显示</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="38"/>
        <source>Non-commercial use only (LLaMA-1 licence). Ziya Desktop does not include the weights; you download them from the Hugging Face hub yourself.</source>
        <translation>仅限非商业用途（LLaMA-1 许可）。Ziya Desktop 不附带模型权重，需要您自行从 Hugging Face hub 下载。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="86"/>
        <source>Download and convert</source>
        <translation>下载并转换</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="90"/>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="94"/>
        <source>Download &amp;&amp; Convert</source>
        <translation>下载并转换</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="237"/>
        <source>The models folder could not be read: {message}</source>
        <translation>无法读取模型文件夹：{message}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="246"/>
        <source>This computer: {gpu} ({free} of GPU memory free), {ram} RAM</source>
        <translation>本机：{gpu}（可用显存 {free}），内存 {ram}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="136"/>
        <source>best for this computer</source>
        <translation>最适合本机</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="250"/>
        <source>This computer: no GPU, {cores} cores, {ram} RAM</source>
        <translation>本机：无 GPU，{cores} 核，内存 {ram}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/local_models_panel.py" line="104"/>
        <source> (link)</source>
        <translation>（链接）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="286"/>
        <source>No file manager could be opened for {folder}.</source>
        <translation>无法为 {folder} 打开文件管理器。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="24"/>
        <source>Remove the link to “{name}” from the library? The file itself stays where it is.</source>
        <translation>从模型库中移除指向“{name}”的链接？文件本身保留在原位置。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="28"/>
        <source>Delete “{name}” ({size}) from this computer? This cannot be undone.</source>
        <translation>从本机删除“{name}”（{size}）？此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="34"/>
        <source>Delete Model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="299"/>
        <source>“{name}” could not be deleted: {error}</source>
        <translation>无法删除“{name}”：{error}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="304"/>
        <source>Deleted: {name}</source>
        <translation>已删除：{name}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="45"/>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="315"/>
        <source>Import GGUF</source>
        <translation>导入 GGUF</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="47"/>
        <source>How should “{name}” join the library?</source>
        <translation>要以何种方式将“{name}”加入模型库？</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="50"/>
        <source>Copy: the library keeps its own copy (needs the disk space). Link: the file stays where it is; moving it later breaks the link.</source>
        <translation>复制：模型库保存一份自己的副本（需要相应磁盘空间）。链接：文件保留在原位置；之后移动该文件会使链接失效。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="57"/>
        <source>Copy into Library</source>
        <translation>复制到模型库</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="60"/>
        <source>Link to File</source>
        <translation>链接到文件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="315"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="324"/>
        <source>Copying {name}…</source>
        <translation>正在复制 {name}…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="324"/>
        <source>Linking {name}…</source>
        <translation>正在链接 {name}…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="73"/>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="329"/>
        <source>Import Checkpoint Folder</source>
        <translation>导入检查点文件夹</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="74"/>
        <source>Convert to (Q4_K_M is the best balance of size and quality):</source>
        <translation>转换为（Q4_K_M 在大小与质量之间最为均衡）：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="345"/>
        <source>Reading the checkpoint in {folder}…</source>
        <translation>正在读取 {folder} 中的检查点…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="88"/>
        <source>Convert Checkpoint</source>
        <translation>转换检查点</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_dialogs.py" line="89"/>
        <source>Converting “{folder}” to {outtype} writes {file}.
Disk space needed: about {needed} (free: {free}).
Convert now?</source>
        <translation>将“{folder}”转换为 {outtype} 会写入 {file}。
所需磁盘空间：约 {needed}（可用：{free}）。
现在转换吗？</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="354"/>
        <source>Not enough disk space: converting to {outtype} needs about {needed}, only {free} is free.</source>
        <translation>磁盘空间不足：转换为 {outtype} 约需 {needed}，仅剩 {free} 可用。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="360"/>
        <source>Free some disk space or choose a smaller file type.</source>
        <translation>请释放一些磁盘空间，或选择较小的文件类型。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="364"/>
        <source>Conversion not started.</source>
        <translation>未开始转换。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="366"/>
        <source>Converting {folder} to {outtype}…</source>
        <translation>正在将 {folder} 转换为 {outtype}…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="145"/>
        <source>checking…</source>
        <translation>正在检测…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="163"/>
        <source>Offline mode is on: downloading needs the network. Import a GGUF file or a checkpoint instead.</source>
        <translation>离线模式已开启：下载需要网络。请改为导入 GGUF 文件或检查点。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_catalog_panel.py" line="168"/>
        <source>Fetches the checkpoint from the Hugging Face hub, converts it here and adds it above.</source>
        <translation>从 Hugging Face hub 获取检查点，在本机转换后添加到上方列表。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="417"/>
        <source>Downloading and converting {name} to {outtype}…</source>
        <translation>正在下载 {name} 并转换为 {outtype}…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_library.py" line="450"/>
        <source>Ready: {name}</source>
        <translation>已就绪：{name}</translation>
    </message>
</context>
<context>
    <name>NewRunDialog</name>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="200"/>
        <source>New Evaluation Run</source>
        <translation>新建评测</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="202"/>
        <source>Run folder:</source>
        <translation>评测文件夹：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="203"/>
        <source>Models (tick two or more):</source>
        <translation>模型（勾选两个或更多）：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="205"/>
        <source>Prompt set:</source>
        <translation>提示集：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="206"/>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="207"/>
        <source>Max new tokens:</source>
        <translation>最大新词元数：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="215"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="216"/>
        <source>Add Model File…</source>
        <translation>添加模型文件…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="217"/>
        <source>Add Server…</source>
        <translation>添加服务器…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="218"/>
        <source>Prompt File…</source>
        <translation>提示文件…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="221"/>
        <source>Built-in writing instructions</source>
        <translation>内置写作指令</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="227"/>
        <source>Each model is loaded in turn, in an engine of its own. The editor&apos;s model is unloaded first: two 13B models in memory at once do not fit most computers. A folder that holds a run resumes it.</source>
        <translation>各模型依次在独立的引擎中加载。开始前会先卸载编辑器中的模型：同时在内存中放两个 13B 模型，大多数电脑都容纳不下。选择已有评测的文件夹则会继续该评测。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="231"/>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="232"/>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="233"/>
        <source>&amp;Judge…</source>
        <translation>评判(&amp;J)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="234"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="266"/>
        <source>{model} on the server {host}</source>
        <translation>服务器 {host} 上的 {model}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="267"/>
        <source>the first model</source>
        <translation>第一个模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="307"/>
        <source>Run Folder</source>
        <translation>评测文件夹</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="313"/>
        <source>Add Model File</source>
        <translation>添加模型文件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="313"/>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="320"/>
        <source>Prompt File</source>
        <translation>提示文件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="320"/>
        <source>Prompt sets (*.jsonl *.toml)</source>
        <translation>提示集 (*.jsonl *.toml)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="331"/>
        <source>Unload the editor&apos;s model?</source>
        <translation>卸载编辑器中的模型？</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="333"/>
        <source>The evaluation loads its models one after the other. The editor&apos;s model is unloaded first so that two models are never in memory at once; load it again when the run is done.</source>
        <translation>评测会依次加载各个模型。为避免两个模型同时占用内存，会先卸载编辑器中的模型；评测结束后请重新加载。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="394"/>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="402"/>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="410"/>
        <source>Loading {name}…</source>
        <translation>正在加载 {name}…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="412"/>
        <source>{done} of {total} answers made (last: {label})</source>
        <translation>已生成 {done} / {total} 个回答（最近：{label}）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="423"/>
        <source>Stopped with {missing} answers still to make; Start resumes the run.</source>
        <translation>已停止，还有 {missing} 个回答未生成；点击“开始”可继续。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="430"/>
        <source>All {total} answers are made ({made} now). Judge them with Judge…</source>
        <translation>全部 {total} 个回答已生成（本次 {made} 个）。点击“评判…”开始评判。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="435"/>
        <source>Failed: {message}</source>
        <translation>失败：{message}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/new_run_dialog.py" line="438"/>
        <source>Stopped. The answers made so far are kept; Start resumes the run.</source>
        <translation>已停止。已生成的回答均已保留；点击“开始”可继续。</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <location filename="../../ziya_desktop/ui/common/notice_bar.py" line="68"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>PdfExport</name>
    <message>
        <location filename="../../ziya_desktop/documents/export/pdf_export.py" line="438"/>
        <source>PDF export needs the application&apos;s graphical session, which is not running.</source>
        <translation>导出 PDF 需要应用程序的图形界面会话，但该会话未运行。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/pdf_export.py" line="445"/>
        <source>No Chinese font is installed, so the PDF would show empty boxes instead of Chinese text.</source>
        <translation>未安装中文字体，PDF 中的中文将显示为空白方框。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/pdf_export.py" line="448"/>
        <source>Install a Chinese font such as Noto Serif CJK SC or Noto Sans CJK SC, or export to DOCX.</source>
        <translation>请安装 Noto Serif CJK SC 或 Noto Sans CJK SC 等中文字体，或导出为 DOCX。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/pdf_export.py" line="412"/>
        <source>The PDF could not be created.</source>
        <translation>无法创建 PDF。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/pdf_export.py" line="417"/>
        <source>The PDF could not be created: a new page could not be started.</source>
        <translation>无法创建 PDF：无法开始新的一页。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/documents/export/gongwen_pdf.py" line="62"/>
        <source>“{wanted}” is not installed; the PDF uses “{used}” in its place.</source>
        <translation>未安装“{wanted}”，PDF 中以“{used}”代替。</translation>
    </message>
</context>
<context>
    <name>PromptSet</name>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="129"/>
        <source>unknown template {template}</source>
        <translation>未知模板 {template}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="135"/>
        <source>template {template}: {problem}</source>
        <translation>模板 {template}：{problem}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="162"/>
        <source>{key} is missing</source>
        <translation>缺少 {key}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="165"/>
        <source>{key} must be non-empty text</source>
        <translation>{key} 必须是非空文本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="168"/>
        <source>{key} is longer than {limit} characters</source>
        <translation>{key} 超过 {limit} 个字符</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="179"/>
        <source>unknown {key} {value}: choose one of {allowed}</source>
        <translation>未知的 {key} {value}：请从 {allowed} 中选择</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="190"/>
        <source>fields must be a table of names and values</source>
        <translation>fields 必须是由字段名和值组成的表</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="194"/>
        <source>field {name} must be text</source>
        <translation>字段 {name} 必须是文本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="207"/>
        <source>a prompt must be an object</source>
        <translation>每条提示必须是一个对象</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="210"/>
        <source>unknown keys: {keys}</source>
        <translation>未知的键：{keys}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="214"/>
        <source>id must be 1 to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter or digit</source>
        <translation>id 必须由 1 到 64 个字母、数字、“.”、“_”或“-”组成，并以字母或数字开头</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="222"/>
        <source>fields are given without a template</source>
        <translation>给出了 fields 却没有指定模板</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="247"/>
        <source>cannot read the file: {reason}</source>
        <translation>无法读取文件：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="243"/>
        <source>larger than {limit} MiB</source>
        <translation>文件大于 {limit} MiB</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="254"/>
        <source>not UTF-8 text</source>
        <translation>不是 UTF-8 文本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="266"/>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="272"/>
        <source>not a JSON object: {reason}</source>
        <translation>不是 JSON 对象：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="277"/>
        <source>nested too deeply</source>
        <translation>嵌套层级过深</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="287"/>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="293"/>
        <source>not valid TOML: {reason}</source>
        <translation>不是有效的 TOML：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="300"/>
        <source>expected an optional name and [[prompts]] tables only</source>
        <translation>只能包含可选的 name 和 [[prompts]] 表</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="316"/>
        <source>a prompt set is a .jsonl or a .toml file</source>
        <translation>提示集必须是 .jsonl 或 .toml 文件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="324"/>
        <source>more than {limit} prompts</source>
        <translation>提示超过 {limit} 条</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="335"/>
        <source>duplicate id {id} (first on line {first})</source>
        <translation>id {id} 重复（首次出现在第 {first} 行）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/prompt_sets.py" line="344"/>
        <source>the file holds no prompts</source>
        <translation>文件中没有任何提示</translation>
    </message>
</context>
<context>
    <name>PromptTooLongError</name>
    <message>
        <location filename="../../ziya_desktop/errors.py" line="88"/>
        <source>the prompt is {prompt_tokens} tokens, but the context window holds {n_ctx} tokens and at least {min_answer} must stay free for the answer</source>
        <translation>提示词有 {prompt_tokens} 个 token，但上下文窗口只能容纳 {n_ctx} 个 token，且至少要为回答留出 {min_answer} 个</translation>
    </message>
</context>
<context>
    <name>Reading</name>
    <message>
        <location filename="../../ziya_desktop/evaluation/win_rates.py" line="77"/>
        <source>clear win</source>
        <translation>明显胜出</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/win_rates.py" line="78"/>
        <source>clear loss</source>
        <translation>明显落后</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/win_rates.py" line="79"/>
        <source>no clear difference</source>
        <translation>无明显差异</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/win_rates.py" line="80"/>
        <source>not judged</source>
        <translation>尚未评判</translation>
    </message>
</context>
<context>
    <name>RecoveryDialog</name>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="92"/>
        <source>No difference from the saved file.</source>
        <translation>与已保存的文件没有差异。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="97"/>
        <source>Some passages have too many changes to compare in detail; each is shown as one change.</source>
        <translation>有些段落改动太多，无法逐处比较；每段显示为一处改动。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="113"/>
        <source>… and {count} more changes.</source>
        <translation>… 另有 {count} 处改动。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="124"/>
        <source>… ({count} more characters)</source>
        <translation>…（另有 {count} 个字符）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="147"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="150"/>
        <source>File: {path}</source>
        <translation>文件：{path}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="152"/>
        <source>A new document, never saved</source>
        <translation>新文档，从未保存</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="153"/>
        <source>Last backed up: {time}</source>
        <translation>最近备份：{time}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="157"/>
        <source>unknown model</source>
        <translation>未知模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="163"/>
        <source>random seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="165"/>
        <source>The model was writing when the app stopped: {model} ({settings})</source>
        <translation>应用停止时模型正在写作：{model}（{settings}）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="171"/>
        <source>The saved file cannot be read: {problem}</source>
        <translation>无法读取已保存的文件：{problem}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="177"/>
        <source>The saved file was changed after this backup was made; compare before restoring.</source>
        <translation>此备份生成后，已保存的文件又被修改过；恢复前请先比较。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="204"/>
        <source>Recover Unsaved Work</source>
        <translation>恢复未保存的内容</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="208"/>
        <source>Ziya Desktop did not close properly last time. These documents had changes that were not saved. Restore opens one in a tab, where you can check and save it; Discard deletes the backup. Your saved files have not been changed.</source>
        <translation>Ziya Desktop 上次未正常关闭。以下文档有未保存的更改。“恢复”会在标签页中打开文档，您可以检查后保存；“放弃”会删除备份。您已保存的文件未被改动。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="229"/>
        <source>Recovered Text</source>
        <translation>恢复的文本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="230"/>
        <source>Changes Since Saved</source>
        <translation>自上次保存以来的改动</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="246"/>
        <source>These backups were damaged and could not be read:</source>
        <translation>以下备份已损坏，无法读取：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="251"/>
        <source>&amp;Restore</source>
        <translation>恢复(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="252"/>
        <source>&amp;Discard</source>
        <translation>放弃(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="253"/>
        <source>Decide &amp;Later</source>
        <translation>稍后决定(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="401"/>
        <source>{count} damaged backup file(s) could not be read and were set aside.</source>
        <translation>{count} 个已损坏的备份文件无法读取，已移至别处。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/recovery_dialog.py" line="495"/>
        <source>Removed {count} unfinished temporary file(s) left by interrupted saves.</source>
        <translation>已删除 {count} 个中断的保存留下的未完成临时文件。</translation>
    </message>
</context>
<context>
    <name>RemoteEngine</name>
    <message>
        <location filename="../../ziya_desktop/engine/remote.py" line="84"/>
        <source>offline mode is on, so the server at {url} is not contacted</source>
        <translation>离线模式已开启，因此不会连接位于 {url} 的服务器</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote.py" line="307"/>
        <source>{server} sent nothing for {seconds} s; the answer stopped</source>
        <translation>{server} 在 {seconds} 秒内没有发送任何内容；回答已中止</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote.py" line="316"/>
        <source>the connection to {server} broke after {count} characters of the answer</source>
        <translation>与 {server} 的连接在回答写出 {count} 个字符后中断</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="97"/>
        <source>it must start with http:// or https:// and name a host</source>
        <translation>它必须以 http:// 或 https:// 开头并包含主机名</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="102"/>
        <source>a user, query or fragment is not allowed</source>
        <translation>不允许包含用户名、查询参数或片段</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="112"/>
        <source>“{url}” is not a server address: {why}</source>
        <translation>“{url}”不是服务器地址：{why}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="208"/>
        <source>{server} did not answer {path} with JSON</source>
        <translation>{server} 对 {path} 的回应不是 JSON</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="262"/>
        <source>the certificate of {server} could not be verified: {reason}</source>
        <translation>无法验证 {server} 的证书：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="268"/>
        <source>the encrypted connection to {server} failed: {reason}</source>
        <translation>与 {server} 的加密连接失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="276"/>
        <source>the server name {host} is unknown</source>
        <translation>服务器名称 {host} 无法解析</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="280"/>
        <source>{server} refused the connection (no server is running there)</source>
        <translation>{server} 拒绝了连接（该处没有运行服务器）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="288"/>
        <source>{server} sent nothing for {seconds} s</source>
        <translation>{server} 在 {seconds} 秒内没有发送任何内容</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="293"/>
        <source>the connection to {server} failed: {reason}</source>
        <translation>与 {server} 的连接失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="311"/>
        <source>{server} refused the API key (HTTP {status}): {detail}</source>
        <translation>{server} 拒绝了 API 密钥（HTTP {status}）：{detail}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_http.py" line="318"/>
        <source>{server} answered HTTP {status}: {detail}</source>
        <translation>{server} 返回 HTTP {status}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_probe.py" line="52"/>
        <source>{server} did not answer /v1/models with a model list</source>
        <translation>{server} 对 /v1/models 的回应不是模型列表</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_probe.py" line="69"/>
        <source>{server} serves no model</source>
        <translation>{server} 没有提供任何模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_probe.py" line="74"/>
        <source>{server} has no model “{model}”; it serves: {models}</source>
        <translation>{server} 上没有模型“{model}”；它提供的模型有：{models}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_probe.py" line="172"/>
        <source>{server} did not answer the tokenize request with tokens</source>
        <translation>{server} 对分词请求的回应中没有词元</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_sse.py" line="48"/>
        <source>an event without an end</source>
        <translation>一个没有结尾的事件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_sse.py" line="59"/>
        <source>text that is not UTF-8</source>
        <translation>不是 UTF-8 的文本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_sse.py" line="94"/>
        <source>an event that is not JSON</source>
        <translation>一个不是 JSON 的事件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_sse.py" line="96"/>
        <source>an event that is not a JSON object</source>
        <translation>一个不是 JSON 对象的事件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_sse.py" line="101"/>
        <source>the server stopped with an error: {detail}</source>
        <translation>服务器因错误而停止：{detail}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_sse.py" line="111"/>
        <source>an event without choices</source>
        <translation>一个没有 choices 的事件</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_sse.py" line="117"/>
        <source>a choice without text</source>
        <translation>一个没有 text 的 choice</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/remote_sse.py" line="127"/>
        <source>the server&apos;s stream is malformed: {what}</source>
        <translation>服务器的数据流格式有误：{what}</translation>
    </message>
</context>
<context>
    <name>Report</name>
    <message>
        <location filename="../../ziya_desktop/evaluation/report.py" line="111"/>
        <source>the KL measurement cannot be read: {reason}</source>
        <translation>无法读取 KL 测量结果：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/evaluation/report.py" line="150"/>
        <source>unknown report format {format}: use markdown or csv</source>
        <translation>未知的报告格式 {format}：请使用 markdown 或 csv</translation>
    </message>
</context>
<context>
    <name>ResultsView</name>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="36"/>
        <source>Official document (公文)</source>
        <translation>公文</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="37"/>
        <source>Speech (讲稿)</source>
        <translation>讲稿</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="38"/>
        <source>Letter (书信)</source>
        <translation>书信</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="39"/>
        <source>Copywriting (文案)</source>
        <translation>文案</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="99"/>
        <source>Average win rate</source>
        <translation>平均胜率</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="100"/>
        <source>Max</source>
        <translation>最高</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="101"/>
        <source>Min</source>
        <translation>最低</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="102"/>
        <source>Judgements</source>
        <translation>评判数</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="103"/>
        <source>95 % interval</source>
        <translation>95% 置信区间</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="104"/>
        <source>Reading</source>
        <translation>结论</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="106"/>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="107"/>
        <source>Pair</source>
        <translation>对比</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="107"/>
        <source>Genre</source>
        <translation>文体</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="108"/>
        <source>By genre</source>
        <translation>按文体</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="109"/>
        <source>Export &amp;Markdown…</source>
        <translation>导出 Markdown(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="110"/>
        <source>Export &amp;CSV…</source>
        <translation>导出 CSV(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="120"/>
        <source>nobody yet</source>
        <translation>暂无</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="123"/>
        <source>Win rate of the first contender = (wins + ties / 2) / judgements, over every judge&apos;s latest verdict. Above 55 % is a clear win, below 45 % a clear loss. Judges: {judges}. Judgements: {n}.</source>
        <translation>前者胜率 =（胜 + 平 / 2）/ 评判数，按每位评审人的最新评判计算。高于 55% 为明显胜出，低于 45% 为明显落后。评审人：{judges}。评判数：{n}。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="136"/>
        <source>{first} vs {second}</source>
        <translation>{first} 对 {second}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="150"/>
        <source>Export Markdown</source>
        <translation>导出 Markdown</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="150"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="152"/>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="152"/>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="172"/>
        <source>Could not write {path}: {reason}</source>
        <translation>无法写入 {path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="173"/>
        <source>Nothing was written; choose another folder or file name and export again.</source>
        <translation>未写入任何内容；请选择其他文件夹或文件名后重新导出。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/results_view.py" line="177"/>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
</context>
<context>
    <name>RewriteReview</name>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="314"/>
        <source>Show revised text</source>
        <translation>显示修改后文本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="315"/>
        <source>Show the text as it will read, without the changes marked</source>
        <translation>显示修改后的文本，不标记改动</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="316"/>
        <source>Accept all</source>
        <translation>全部接受</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="317"/>
        <source>Apply selected</source>
        <translation>应用所选</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="318"/>
        <source>Apply the checked changes (Ctrl+Enter)</source>
        <translation>应用已勾选的改动（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="319"/>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="320"/>
        <source>Keep the original text (Esc)</source>
        <translation>保留原文（Esc）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="321"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="346"/>
        <source>Delete</source>
        <translation>删</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="346"/>
        <source>Add</source>
        <translation>增</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="196"/>
        <source>{action}: writing…</source>
        <translation>{action}：正在撰写…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="228"/>
        <source>{action} failed: {message}</source>
        <translation>{action}失败：{message}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="365"/>
        <source>Insert: {new}</source>
        <translation>插入：{new}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="367"/>
        <source>Delete: {old}</source>
        <translation>删除：{old}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="368"/>
        <source>Replace: {old}
With: {new}</source>
        <translation>替换：{old}
改为：{new}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="454"/>
        <source>{count} change</source>
        <translation>{count} 处改动</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/rewrite_review.py" line="456"/>
        <source>{count} changes</source>
        <translation>{count} 处改动</translation>
    </message>
</context>
<context>
    <name>SamplingDialog</name>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="63"/>
        <source>Sampling Settings</source>
        <translation>采样设置</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="70"/>
        <source>Higher is more varied and surprising, lower is more predictable; 0 always picks the likeliest.</source>
        <translation>越高文字越多变、越出人意料，越低越可预测；为 0 时总是选择可能性最大的词。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="74"/>
        <source>Choose only among the likeliest words that together make up this share; 1 considers all.</source>
        <translation>只在累计概率达到此比例的最可能的词中选择；为 1 时考虑所有词。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="78"/>
        <source>Above 1 discourages repeating recent words; too high makes the text stilted. 1 is off.</source>
        <translation>大于 1 时抑制重复最近用过的词；过高会使文字生硬。为 1 时关闭。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="84"/>
        <source>The most tokens one answer may have; a Chinese character is about one token.</source>
        <translation>一次回答最多可包含的 token 数；一个汉字约为一个 token。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="86"/>
        <source>Random each time</source>
        <translation>每次随机</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="87"/>
        <source>A new seed per generation, so every attempt reads differently.</source>
        <translation>每次生成使用新的种子，每次写出的文字都不同。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="92"/>
        <source>The same seed with the same settings and prompt writes the same text again.</source>
        <translation>相同的种子、设置和提示词会再次写出相同的文字。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="100"/>
        <source>&amp;Temperature:</source>
        <translation>温度(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="101"/>
        <source>Top-&amp;p:</source>
        <translation>Top-p(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="102"/>
        <source>&amp;Repetition penalty:</source>
        <translation>重复惩罚(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="103"/>
        <source>&amp;Max new tokens:</source>
        <translation>最大生成 token 数(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="104"/>
        <source>&amp;Seed:</source>
        <translation>种子(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="113"/>
        <source>Reset to model card defaults</source>
        <translation>恢复为模型卡默认值</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/sampling_dialog.py" line="114"/>
        <source>The values the Ziya-Writing model card recommends</source>
        <translation>Ziya-Writing 模型卡推荐的数值</translation>
    </message>
</context>
<context>
    <name>SamplingParams</name>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="52"/>
        <source>{setting} must be between {low} and {high}, not {value}</source>
        <translation>{setting}必须在 {low} 到 {high} 之间，而不是 {value}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="53"/>
        <source>{setting} must be more than {low} and at most {high}, not {value}</source>
        <translation>{setting}必须大于 {low} 且不超过 {high}，而不是 {value}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="54"/>
        <source>{setting} must be 0 or between {low} and {high}, not {value}</source>
        <translation>{setting}必须为 0，或在 {low} 到 {high} 之间，而不是 {value}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="55"/>
        <source>{setting} must be a number, not {value}</source>
        <translation>{setting}必须是数字，而不是 {value}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="56"/>
        <source>{setting} must be a whole number, not {value}</source>
        <translation>{setting}必须是整数，而不是 {value}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="57"/>
        <source>{setting} must be true or false, not {value}</source>
        <translation>{setting}只能是 true 或 false，而不是 {value}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="60"/>
        <source>temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="61"/>
        <source>top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="62"/>
        <source>top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="63"/>
        <source>min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="64"/>
        <source>repetition penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="65"/>
        <source>repetition window</source>
        <translation>重复惩罚窗口</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="66"/>
        <source>max new tokens</source>
        <translation>最大生成 token 数</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="67"/>
        <source>seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/engine/sampling.py" line="68"/>
        <source>ignore end of text</source>
        <translation>忽略结束标记</translation>
    </message>
</context>
<context>
    <name>ServerCommands</name>
    <message>
        <location filename="../../ziya_desktop/ui/generation/server_commands.py" line="83"/>
        <source>Connecting to {url}…</source>
        <translation>正在连接 {url}…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/server_commands.py" line="90"/>
        <source>Text travels unencrypted to {host}: anyone on the network between can read it.</source>
        <translation>文字将以未加密方式传送到 {host}：途经网络上的任何人都能读取。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/server_commands.py" line="91"/>
        <source>Use https:// for a server on another computer.</source>
        <translation>对于其他计算机上的服务器，请使用 https://。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/server_commands.py" line="146"/>
        <source>No system keyring is available, so the API key was saved in the settings file.</source>
        <translation>没有可用的系统钥匙串，因此 API 密钥已保存在设置文件中。</translation>
    </message>
</context>
<context>
    <name>ServerDialog</name>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="132"/>
        <source>Connect to Server</source>
        <translation>连接服务器</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="133"/>
        <source>Server address:</source>
        <translation>服务器地址：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="133"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="133"/>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="133"/>
        <source>Timeout:</source>
        <translation>超时：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="138"/>
        <source>the server&apos;s first model</source>
        <translation>服务器的第一个模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="139"/>
        <source>Fetch Models</source>
        <translation>获取模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="140"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="141"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="143"/>
        <source>The API key is kept in the system keyring.</source>
        <translation>API 密钥保存在系统钥匙串中。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="146"/>
        <source>No system keyring is available: the API key will be kept in the settings file, readable by anyone who can read your files.</source>
        <translation>没有可用的系统钥匙串：API 密钥将保存在设置文件中，任何能读取您文件的人都能看到它。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="179"/>
        <source>Text travels unencrypted to {host}: anyone on the network between can read it. Use https:// for a server on another computer.</source>
        <translation>文字将以未加密方式传送到 {host}：途经网络上的任何人都能读取。对于其他计算机上的服务器，请使用 https://。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="190"/>
        <source>Asking the server for its models…</source>
        <translation>正在向服务器查询模型…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="207"/>
        <source>The models could not be fetched: {message}</source>
        <translation>无法获取模型：{message}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/server_dialog.py" line="213"/>
        <source>The server serves {count} model(s).</source>
        <translation>服务器提供 {count} 个模型。</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../ziya_desktop/ui/shell/shortcuts_dialog.py" line="104"/>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/shortcuts_dialog.py" line="105"/>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/shortcuts_dialog.py" line="105"/>
        <source>Shortcut</source>
        <translation>快捷键</translation>
    </message>
</context>
<context>
    <name>StatusPanel</name>
    <message>
        <location filename="../../ziya_desktop/ui/common/status_panel.py" line="76"/>
        <source>{rate} tokens/s</source>
        <translation>{rate} tokens/s</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/common/status_panel.py" line="84"/>
        <source>Context {used} / {total}</source>
        <translation>上下文 {used} / {total}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/common/status_panel.py" line="86"/>
        <source>Tokens of the model&apos;s context window in use: the prompt sent plus the answer so far.</source>
        <translation>模型上下文窗口中已使用的 token：已发送的提示词加上目前已生成的回答。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/common/status_panel.py" line="93"/>
        <source>Selected {selection} of {document}</source>
        <translation>选中 {selection}，全文 {document}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/common/status_panel.py" line="98"/>
        <source>speaking {duration}</source>
        <translation>朗读时长 {duration}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/common/status_panel.py" line="113"/>
        <source>字数 {count}</source>
        <translation>字数 {count}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/common/status_panel.py" line="118"/>
        <source>{count} word</source>
        <translation>{count} 词</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/common/status_panel.py" line="120"/>
        <source>{count} words</source>
        <translation>{count} 词</translation>
    </message>
</context>
<context>
    <name>TemplateEditorDialog</name>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="107"/>
        <source># A template of your own. Lines starting with # are notes; they are not kept when the template is saved.
# id: lowercase letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;; it is saved as &lt;id&gt;.toml in your templates folder.
# category: one of {categories}.
# language: the language of the document, zh or en. names: the name in the list, in both languages.
# header and footer: the fixed parts the app lays out; instruction: what the model is asked to write.
# {{name}} puts a field&apos;s value in. A multiline field also gives {{name_numbered}} (1. 2. 3.), a choice
# {{name_note}} (the chosen option&apos;s note), a length in minutes {{name_estimate}} (the length it makes).
# Field kinds: text, multiline (one item per line), choice (with options), date, length (chars, words or
# minutes).</source>
        <translation># 自定义模板。以 # 开头的行是注释，保存模板时不会保留。
# id：小写字母、数字、&apos;.&apos;、&apos;_&apos; 或 &apos;-&apos;；模板保存为模板文件夹中的 &lt;id&gt;.toml。
# category：{categories} 之一。
# language：文档的语言，zh 或 en。names：模板列表中显示的名称，中英文各一个。
# header 和 footer：由应用排版的固定部分；instruction：要求模型撰写的内容。
# {{name}} 插入字段的值。多行字段还提供 {{name_numbered}}（1. 2. 3.），选项字段提供
# {{name_note}}（所选选项的说明），以分钟计的篇幅字段提供 {{name_estimate}}（折算出的篇幅）。
# 字段类型：text（文本）、multiline（多行，每行一项）、choice（选项，需列出 options）、date（日期）、
# length（篇幅：chars 字数、words 词数或 minutes 分钟）。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="130"/>
        <source>the id {id} is too long for a copy</source>
        <translation>id {id} 过长，无法用于副本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="137"/>
        <source>no free id starting with {id}</source>
        <translation>没有以 {id} 开头的可用 id</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="156"/>
        <source>cannot check the text: {reason}</source>
        <translation>无法检查文本：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="166"/>
        <source>the text defines no template; it needs a [[templates]] table</source>
        <translation>文本中没有定义模板；需要一个 [[templates]] 表</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="174"/>
        <source>the text defines {count} templates; write one here</source>
        <translation>文本定义了 {count} 个模板；此处只能写一个</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="221"/>
        <source>New template</source>
        <translation>新建模板</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="224"/>
        <source>Edit template: {name}</source>
        <translation>编辑模板：{name}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="252"/>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="270"/>
        <source>Form preview</source>
        <translation>表单预览</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="272"/>
        <source>Prompt preview</source>
        <translation>提示词预览</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="313"/>
        <source>No problems: “{name}”, {count} fields.</source>
        <translation>没有问题：“{name}”，{count} 个字段。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="330"/>
        <source>Line {line}: {problem}</source>
        <translation>第 {line} 行：{problem}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="347"/>
        <source>{count} problem(s) found.</source>
        <translation>发现 {count} 个问题。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="358"/>
        <source>The category “{id}” is new; the template is listed under that name.</source>
        <translation>类别“{id}”是新类别；模板将列在该名称下。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="365"/>
        <source>The id changed: saving creates {file}; the template “{old}” stays.</source>
        <translation>id 已更改：保存时将创建 {file}；模板“{old}”保持不变。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="372"/>
        <source>This template comes from {source}; saving writes {file} and leaves {source} as is.</source>
        <translation>此模板来自 {source}；保存时将写入 {file}，{source} 保持不变。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="413"/>
        <source>{file} already exists in your templates folder. Replace it?</source>
        <translation>模板文件夹中已存在 {file}。是否替换？</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="416"/>
        <source>A built-in template has the id “{id}”. Yours will be used instead of it. Save anyway?</source>
        <translation>已有内置模板使用 id“{id}”，之后将改用您的模板。仍要保存吗？</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_editor.py" line="431"/>
        <source>Not saved: {error}</source>
        <translation>未保存：{error}</translation>
    </message>
</context>
<context>
    <name>TemplateForm</name>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="168"/>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="204"/>
        <source>One per line</source>
        <translation>每行一条</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="213"/>
        <source>— choose —</source>
        <translation>— 请选择 —</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="248"/>
        <source> minutes</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="250"/>
        <source> words</source>
        <translation> 词</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="251"/>
        <source> characters</source>
        <translation> 字</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="333"/>
        <source>about {count} characters</source>
        <translation>约 {count} 字</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="335"/>
        <source>about {count} words</source>
        <translation>约 {count} 词</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="349"/>
        <source>Title ≤ {count} characters</source>
        <translation>标题 ≤ {count} 字</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="351"/>
        <source>Body ≤ {count} characters</source>
        <translation>正文 ≤ {count} 字</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="353"/>
        <source>Headline ≤ {count} characters</source>
        <translation>大标题 ≤ {count} 字</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="355"/>
        <source>{count} characters a segment</source>
        <translation>每条 {count} 字</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="357"/>
        <source>The first {count} characters count most</source>
        <translation>前 {count} 字最关键</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_form.py" line="358"/>
        <source>{name}: {count}</source>
        <translation>{name}：{count}</translation>
    </message>
</context>
<context>
    <name>TemplatePanel</name>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="163"/>
        <source>Search templates</source>
        <translation>搜索模板</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="164"/>
        <source>No template matches.</source>
        <translation>没有匹配的模板。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="165"/>
        <source>New…</source>
        <translation>新建…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="166"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="167"/>
        <source>Duplicate…</source>
        <translation>创建副本…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="168"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="169"/>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="95"/>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="104"/>
        <source>Open templates folder</source>
        <translation>打开模板文件夹</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="172"/>
        <source>The exact text the model receives. You can edit it.</source>
        <translation>模型收到的完整文本，可以直接编辑。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="170"/>
        <source>Reset prompt</source>
        <translation>重置提示词</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="173"/>
        <source>Discard your edits; the prompt follows the form again.</source>
        <translation>放弃您的修改；提示词重新跟随表单。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="171"/>
        <source>Draft</source>
        <translation>起草</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="174"/>
        <source>Write the document from this template (Ctrl+Enter)</source>
        <translation>按此模板撰写文档（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="175"/>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_library_view.py" line="62"/>
        <source>Built-in template</source>
        <translation>内置模板</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_library_view.py" line="68"/>
        <source>Your template: {file}</source>
        <translation>您的模板：{file}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_library_view.py" line="102"/>
        <source>… and {count} more</source>
        <translation>… 另有 {count} 个</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_library_view.py" line="107"/>
        <source>1 template file could not be loaded:</source>
        <translation>1 个模板文件无法加载：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_library_view.py" line="109"/>
        <source>{count} template files could not be loaded:</source>
        <translation>{count} 个模板文件无法加载：</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_library_view.py" line="117"/>
        <source>template</source>
        <translation>模板</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_library_view.py" line="119"/>
        <source>{file} line {line}: {problem}</source>
        <translation>{file} 第 {line} 行：{problem}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_library_view.py" line="122"/>
        <source>{file}: {problem}</source>
        <translation>{file}：{problem}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="404"/>
        <source>Fill in before drafting: {fields}</source>
        <translation>起草前请填写：{fields}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="406"/>
        <source>Edited by hand: the prompt no longer follows the form.</source>
        <translation>已手动编辑：提示词不再跟随表单。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/template_panel.py" line="436"/>
        <source>The prompt is empty. Write one, or press “Reset prompt”.</source>
        <translation>提示词为空。请编写提示词，或点击“重置提示词”。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="34"/>
        <source>Duplicate template</source>
        <translation>创建模板副本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="73"/>
        <source>Delete the template “{name}”? Its file {file} is removed.</source>
        <translation>删除模板“{name}”？其文件 {file} 将被删除。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="78"/>
        <source>The file also holds {count} other template(s); they are removed too.</source>
        <translation>该文件还包含 {count} 个其他模板，它们也将被删除。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="82"/>
        <source>The built-in template of the same id is used again.</source>
        <translation>将重新使用 id 相同的内置模板。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="47"/>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="59"/>
        <source>Delete template</source>
        <translation>删除模板</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="60"/>
        <source>{file} could not be deleted: {reason}</source>
        <translation>无法删除 {file}：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="96"/>
        <source>{folder} could not be created: {reason}</source>
        <translation>无法创建 {folder}：{reason}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/templates/user_templates.py" line="105"/>
        <source>Your templates are in {folder}</source>
        <translation>您的模板位于 {folder}</translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <location filename="../../ziya_desktop/ui/generation/action_labels.py" line="21"/>
        <source>&amp;Polish</source>
        <translation>润色(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/action_labels.py" line="22"/>
        <source>&amp;Expand</source>
        <translation>扩写(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/action_labels.py" line="23"/>
        <source>S&amp;horten</source>
        <translation>缩写(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/action_labels.py" line="24"/>
        <source>Make &amp;formal</source>
        <translation>改为正式语气(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/action_labels.py" line="25"/>
        <source>Make &amp;warm</source>
        <translation>改为亲切语气(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/action_labels.py" line="26"/>
        <source>&amp;Translate zh ↔ en</source>
        <translation>中英互译(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/action_labels.py" line="27"/>
        <source>&amp;Rewrite with an instruction…</source>
        <translation>按指令改写(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_actions.py" line="52"/>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_actions.py" line="53"/>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_actions.py" line="54"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_actions.py" line="55"/>
        <source>Save &amp;As…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_actions.py" line="56"/>
        <source>Export as &amp;HTML…</source>
        <translation>导出为 HTML(&amp;H)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_actions.py" line="57"/>
        <source>Export as &amp;PDF…</source>
        <translation>导出为 PDF(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_actions.py" line="58"/>
        <source>Export as &amp;Word (DOCX)…</source>
        <translation>导出为 Word (DOCX)(&amp;W)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/files/file_actions.py" line="59"/>
        <source>公文 layout (GB/T 9704-2012)</source>
        <translation>公文版式（GB/T 9704-2012）</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="59"/>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="60"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="103"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="104"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="105"/>
        <source>Cu&amp;t</source>
        <translation>剪切(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="106"/>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="107"/>
        <source>&amp;Paste</source>
        <translation>粘贴(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="108"/>
        <source>Select &amp;All</source>
        <translation>全选(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="109"/>
        <source>&amp;Find…</source>
        <translation>查找(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="110"/>
        <source>&amp;Replace…</source>
        <translation>替换(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="181"/>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="182"/>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="183"/>
        <source>&amp;Actual Size</source>
        <translation>实际大小(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="184"/>
        <source>Markdown &amp;Preview</source>
        <translation>Markdown 预览(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="185"/>
        <source>&amp;Templates Panel</source>
        <translation>模板面板(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="64"/>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="65"/>
        <source>Draft from the chosen template into an empty document, or continue from the cursor</source>
        <translation>在空文档中按所选模板起草，或从光标处续写</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="71"/>
        <source>&amp;Continue from Cursor</source>
        <translation>从光标处续写(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="72"/>
        <source>Continue writing</source>
        <translation>续写</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="76"/>
        <source>&amp;Regenerate</source>
        <translation>重新生成(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="77"/>
        <source>Write the last passage again, keeping the others</source>
        <translation>重写最近生成的一段，之前的版本仍可切换</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="79"/>
        <source>Previous Alternative</source>
        <translation>上一个备选版本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="80"/>
        <source>Next Alternative</source>
        <translation>下一个备选版本</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="85"/>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="86"/>
        <source>Stop generating; the text so far stays</source>
        <translation>停止生成；已生成的文字会保留</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="88"/>
        <source>Sampling &amp;Settings…</source>
        <translation>采样设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_actions.py" line="89"/>
        <source>Sampling for This &amp;Template…</source>
        <translation>当前模板的采样设置(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_actions.py" line="53"/>
        <source>Load Model &amp;File…</source>
        <translation>加载模型文件(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_actions.py" line="56"/>
        <source>Model &amp;Library…</source>
        <translation>模型库(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_actions.py" line="57"/>
        <source>Download, convert, import and choose models; GPU settings</source>
        <translation>下载、转换、导入和选择模型；GPU 设置</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_actions.py" line="59"/>
        <source>&amp;Unload Model</source>
        <translation>卸载模型(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_actions.py" line="62"/>
        <source>Connect to &amp;Server…</source>
        <translation>连接服务器(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_actions.py" line="63"/>
        <source>Write with llama.cpp&apos;s server or vLLM (a team&apos;s GPU box) instead of this computer</source>
        <translation>使用 llama.cpp 服务器或 vLLM（例如团队的 GPU 服务器）而不是本机来写作</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_actions.py" line="69"/>
        <source>Use Lo&amp;cal Model</source>
        <translation>使用本机模型(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/models/model_actions.py" line="70"/>
        <source>Go back to the model on this computer</source>
        <translation>改回使用本机上的模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="194"/>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="203"/>
        <source>Follow System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="195"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/view_actions.py" line="196"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="106"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="107"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="108"/>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="109"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="110"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="111"/>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="112"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="113"/>
        <source>&amp;Writing</source>
        <translation>写作(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="114"/>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="115"/>
        <source>E&amp;valuation</source>
        <translation>评测(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="116"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/window_actions.py" line="60"/>
        <source>Writing</source>
        <translation>写作</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/help_actions.py" line="40"/>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/help_actions.py" line="41"/>
        <source>Model &amp;Licence</source>
        <translation>模型许可(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/shell/help_actions.py" line="42"/>
        <source>&amp;About Ziya Desktop</source>
        <translation>关于 Ziya Desktop(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/evaluation_actions.py" line="113"/>
        <source>&amp;Open Evaluation Run…</source>
        <translation>打开评测(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/evaluation/evaluation_actions.py" line="114"/>
        <source>&amp;New Evaluation Run…</source>
        <translation>新建评测(&amp;N)…</translation>
    </message>
</context>
<context>
    <name>WritingActions</name>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="92"/>
        <source>polish</source>
        <translation>润色</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="93"/>
        <source>expand</source>
        <translation>扩写</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="94"/>
        <source>shorten</source>
        <translation>缩写</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="95"/>
        <source>make formal</source>
        <translation>改为正式语气</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="96"/>
        <source>make warmer</source>
        <translation>改为亲切语气</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="97"/>
        <source>translate</source>
        <translation>翻译</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="98"/>
        <source>rewrite</source>
        <translation>改写</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="178"/>
        <source>There is nothing to continue from: the text before the cursor is empty.</source>
        <translation>没有可续写的内容：光标前没有文字。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="229"/>
        <source>Nothing is selected: select the text to {verb} first.</source>
        <translation>未选中文字：请先选中要{verb}的文字。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="240"/>
        <source>The selection holds only spaces and line breaks: select the text to {verb}.</source>
        <translation>选中的只有空格和换行：请选中要{verb}的文字。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="247"/>
        <source>The rewrite has no instruction.</source>
        <translation>改写缺少指令。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="306"/>
        <source>The selection is too long to {verb} in one go: it has {selected} characters, and about {fits} fit in the model&apos;s context window of {n_ctx} tokens together with the answer.</source>
        <translation>选中的文字太长，无法一次{verb}：共 {selected} 个字符，而模型的上下文窗口（{n_ctx} 个 token）连同回答在内大约只能容纳 {fits} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/writing/actions.py" line="311"/>
        <source>Select at most about {fits} characters (a few paragraphs) and {verb} the text part by part.</source>
        <translation>请一次最多选中约 {fits} 个字符（几个段落），分段{verb}。</translation>
    </message>
</context>
<context>
    <name>WritingCommands</name>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="117"/>
        <source>Load Model</source>
        <translation>加载模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="117"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="125"/>
        <source>Loading {name}…</source>
        <translation>正在加载 {name}…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="159"/>
        <source>Loading {name}… {percent}%</source>
        <translation>正在加载 {name}… {percent}%</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="169"/>
        <source>Remote: {model} at {host}</source>
        <translation>远程：{model}，位于 {host}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="170"/>
        <source>Server {url} · context {n_ctx} tokens · connected in {seconds} s</source>
        <translation>服务器 {url} · 上下文 {n_ctx} 个词元 · 连接用时 {seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="182"/>
        <source>{threads} threads · context {n_ctx} tokens · loaded in {seconds} s</source>
        <translation>{threads} 线程 · 上下文 {n_ctx} tokens · 加载用时 {seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="188"/>
        <source>The GPU could not load the model, so it runs on the CPU (slower).</source>
        <translation>GPU 无法加载该模型，因此改在 CPU 上运行（速度较慢）。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="190"/>
        <source>The model did not fit on the GPU as planned and runs with fewer GPU layers.</source>
        <translation>模型未能按计划放入 GPU，现以较少的 GPU 层运行。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="200"/>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="209"/>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="202"/>
        <source>Could not connect to the server: {message}</source>
        <translation>无法连接服务器：{message}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="204"/>
        <source>The model could not be loaded: {message}</source>
        <translation>无法加载模型：{message}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="218"/>
        <source>The model is still writing. Stop it first (Esc).</source>
        <translation>模型仍在写作。请先停止（Esc）。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="222"/>
        <source>No model is loaded, so nothing can be generated yet. You can keep writing.</source>
        <translation>尚未加载模型，暂时无法生成。您可以继续写作。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="227"/>
        <source>Open the model library to download and convert Ziya-Writing, or to import a GGUF file you already have. On the command line: ziya-convert CHECKPOINT_DIR --outfile ziya-q4_k_m.gguf --outtype q4_k_m</source>
        <translation>打开模型库，下载并转换 Ziya-Writing，或导入已有的 GGUF 文件。命令行方式：ziya-convert CHECKPOINT_DIR --outfile ziya-q4_k_m.gguf --outtype q4_k_m</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="232"/>
        <source>Model Library…</source>
        <translation>模型库…</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="270"/>
        <source>Choose a template in the Templates panel first.</source>
        <translation>请先在“模板”面板中选择一个模板。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="273"/>
        <source>Overrides for the template “{name}”</source>
        <translation>仅用于模板“{name}”的设置</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="355"/>
        <source>Nothing to regenerate yet: generate a passage first.</source>
        <translation>暂无可重新生成的内容：请先生成一段文字。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="383"/>
        <source>Alternative {index} of {count}</source>
        <translation>备选版本 {index} / {count}</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="401"/>
        <source>Select the text first, then choose “{action}”.</source>
        <translation>请先选中文字，再选择“{action}”。</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="408"/>
        <source>How should the selection be rewritten?</source>
        <translation>要如何改写所选文字？</translation>
    </message>
    <message>
        <location filename="../../ziya_desktop/ui/generation/writing_commands.py" line="470"/>
        <source>The document is longer than the model can read at once: it saw the text nearest the cursor, and {count} characters before that were left out.</source>
        <translation>文档超出了模型一次能读取的长度：模型只读取了光标附近的文字，之前的 {count} 个字符被略去。</translation>
    </message>
</context>
</TS>
