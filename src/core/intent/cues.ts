import { cue, words, type Cue } from "./cue.js";

export type { Cue };

/**
 * The classifier's lexicon, compiled once. Every cue runs on lower-cased text except `codeFence`,
 * `codeShapes` and `stackTrace`, which need the original case. Alternatives in other scripts sit in the
 * second list of each cue (see `cue.ts`).
 */

const r = String.raw;
const languages =
  "english|french|german|spanish|italian|portuguese|chinese|mandarin|cantonese|japanese|korean|russian|dutch|" +
  "arabic|hindi|turkish|polish|swedish|norwegian|danish|finnish|greek|hebrew|vietnamese|thai|indonesian|" +
  "ukrainian|czech|romanian|hungarian";

/** Fenced code blocks. */
export const codeFence = /```|~~~/;

/** Stack traces and runtime or compiler error lines (original case). */
export const stackTrace =
  /Traceback \(most recent call last\)|\n\s+at [\w$.<>[\] ]+ \(?[^\s()]+:\d+(?::\d+)?\)?|Exception in thread|panicked at|[Ss]egmentation fault|core dumped|[a-z](?:Error|Exception): |File "[^"]+", line \d+|\.(?:js|jsx|ts|tsx|py|java|go|rs|rb|cs|cpp|php):\d+/;

/**
 * Code-shaped tokens (original case): camelCase and snake_case names, calls, indexing, arrows and
 * operators, statement ends, tags, SQL statements. The leading lookahead lets the engine reject most
 * positions of prose with one character test.
 */
export const codeShapes =
  /(?=[A-Z_([=!+&|:;{}<])(?:(?<=[a-z])[A-Z]|(?<=[a-z0-9])_[a-z]|(?<=\w)\(|(?<=\w)\[\w+\]|=>|[=!]==?|\+\+|&&|\|\||::|[;{}][ \t]*$|<\/?[a-z]+>|SELECT\b.{1,120}\bFROM\b|(?:INSERT INTO|CREATE TABLE)\b)/gm;

/** Unambiguous programming terms: languages, frameworks, tools, code vocabulary (one is enough for code). */
export const programmingTerms = words(
  [
    r`def|elif|lambda|struct|impl|enum|nullptr|println|printf|console\.log|python|javascript|typescript|java`,
    r`golang|rust|kotlin|c\+\+|c#|php|ruby|scala|bash|powershell|sql|regex|regexp|regular expression|html|css`,
    r`flexbox|react|vue|angular|node\.?js|npm|pip|git|github|docker|dockerfile|kubernetes|k8s|compiler|compile error`,
    r`stack trace|unit tests?|refactor(?:ing)?|algorithm|snippet|hashmap|linked list|recursion|thread-safe|runtime`,
    r`syntax error|useeffect|usestate|vitest|jest|pytest|django|flask|fastapi|postgres(?:ql)?|mysql|sqlite|mongodb`,
    r`pandas|numpy|dataframe|excel formula|vlookup|yaml|nginx|terraform|webpack|cron|rebase|pull request|segfault`,
    r`null ?pointer(?:exception)?|csv|programming|coding|source code|software engineer|frontend|backend|generics?`,
    r`\w+\.(?:js|jsx|ts|tsx|py|go|rs|java|rb|cs|cpp|php)`,
  ],
  ["regulären ausdruck", "expresión regular", "函数", "代码", "算法", "编程", "コード", "関数"],
);

/** Words that lean towards code but also occur elsewhere ("process", "server", "branch"). */
export const techWords = words(
  [
    r`functions?|class|method|return|imports?|const|let|var|async|await|interface|void|undefined|swift|shell script`,
    r`query|api|endpoint|bug|debug|test suite|tests|script|skript|variable|array|tableau|repository|repo|code`,
    r`fonction|funktion|linux|terminal|command line|process|port \d+|http server|web server|server`,
    r`database|redis|join|aws|vite|commit(?:ted)?|branch|merge|deploy(?:ment)?|crash(?:es|ed)?|exception|module`,
    r`package|library|framework|helper|loop|pointer|compile[sd]?|in go|grid|responsive`,
  ],
  ["función", "程序", "脚本"],
);

const codeThings =
  "function|script|regex|query|program|class|method|snippet|dockerfile|struct|code|fonction|funktion|skript|función|algorithm";

/** Asking for a piece of code to be written. */
export const codeRequest = cue(
  [r`(?:write|create|implement|generate|ecris|schreibe|escribe|scrivi)\b.{0,40}?(?:${codeThings})`],
  [`écris.{0,40}?(?:${codeThings})`, "写.{0,12}(?:代码|函数|算法|程序|脚本)", r`用\s*[a-z+#]+\s*写`],
);

/** JSON named in the text. */
export const jsonWord = cue([r`json\b`]);

/** Asking for JSON as the output ("give me a JSON object", "respond only with JSON", "in JSON format"). */
export const jsonDirective = cue(
  [
    r`(?:return|give|output|respond|reply|answer|format|provide|produce|convert|as|in|only)\b(?: [\w-]+){0,3} json\b`,
    r`json (?:object|array|format)|formato json|format json`,
  ],
  ["json格式"],
);

/** Asking for values to be extracted. */
export const extractVerb = cue(
  [
    r`(?:extract|pull out|parse|extrae|extraer|extrais|extraire|extrahiere|estrai)\b`,
    r`pull\b.{1,40}\bout of\b`,
  ],
  ["提取", "抽出", "извлеки"],
);

/** Things one extracts. */
export const fieldWords = cue([
  r`(?:fields?|keys?|names?|emails?|phones?|phone numbers?|address(?:es)?|dates?|amounts?|totals?|prices?)\b`,
  r`(?:entities|values|attributes|columns?|titles?|locations?|skills|streets?|city|cities|post ?codes?)\b`,
  r`(?:zip(?: codes?)?|countr(?:y|ies)|nombre|importe|fecha|adresse|geburtsdatum)\b`,
  r`entit`,
]);

/** Structured output named without JSON. */
export const structuredOutput = cue([r`structured (?:data|fields|output|format)\b`, r`key[- ]value\b`]);

/** Verbs of translation in several languages, and "how do you say … in Japanese". */
export const translationVerb = cue(
  [
    r`translat(?:e|es|ed|ing|ion)\b|tradu[a-z]|vertaal|how (?:do|would|can|to) (?:you |i |we )?say\b`,
    r`comment dit-on|wie sagt man|come si dice|como se diz`,
    r`what(?:'s| is| are)\b.{1,80}\bin (?:${languages})\b|means? in (?:${languages})\b`,
  ],
  [
    "traduç|übersetz|przetłumacz|переведи|перевест|перевод|çevir|cómo se dice",
    "翻译|翻譯|翻成|译成|譯成|翻訳|訳して|번역",
  ],
);

/** A target language ("into French", "ins Englische", "al inglés", "成英文", …). */
export const targetLanguage = cue(
  [
    `(?:into|to|in) (?:${languages})\\b`,
    r`en (?:anglais|francais|allemand|espagnol|italien|portugais|chinois|japonais|russe)\b`,
    r`ins (?:englische|deutsche|spanische|italienische)|auf (?:englisch|deutsch|spanisch)`,
    r`al (?:ingles|italiano)|in (?:inglese|italiano|francese|tedesco|spagnolo)\b`,
  ],
  [
    "en français|ins französische|auf französisch|al (?:inglés|español|francés|alemán)",
    "para o (?:português|inglês|espanhol)|成(?:英文|中文|英语|日语|法语|德语|日文)",
    "на (?:английский|русский|немецкий|французский)|(?:英語|日本語|中国語)に",
  ],
);

/** A system prompt that makes the model a translator. */
export const translatorRole = cue([r`translat(?:or|e|ion)\b|traduct`], ["übersetz", "翻译"]);

/** Reasoning cues that alone make a request `deep_reason` (counted distinct). */
export const reasoningTerms = words(
  [
    r`prove|proof|show that|derive|analy[sz]e|analysis|evaluate|compare|trade-?offs?|implications?|pros and cons`,
    r`both sides|fallac(?:y|ies)|theorem|hypothes[ie]s|induction|deduce|step[- ]by[- ]step|think (?:it )?through`,
    r`explain why|reasoning|reasoned|solve|calculate|probability|integral|derivative|equation|intuition`,
    r`show your work|beweis\w*|demuestr\w*|analiza|analysez|analysiere|analizza|paso a paso`,
  ],
  ["分析", "影响", "推理", "证明", "démontr", "schritt für schritt", "étape par étape", "一步一步", "逐步"],
);

/** Weaker reasoning cues: two of them, or one with another signal, make `deep_reason` (counted distinct). */
export const reasoningHints = words(
  [
    r`why|explain|recommend(?:ation)?|consider(?:ing)?|risks?|likely|likelihood|causes?|effects?|impact`,
    r`strategy|nuanced|consequences|in detail|argue|arguments?|justif(?:y|ied)|morally|weigh|long[- ]term`,
    r`short[- ]term|walk me through|the math|how would you|what should (?:we|i) do|what happens|logic(?:al)?`,
    r`puzzle|riddle|infer|mathematical|pourquoi|warum|expli(?:que|quez|ca|qu)\w*|en detalle|consecuencias`,
    r`auswirkungen|plazo`,
  ],
  ["por qué|para qué|explí|erklär|en détail|ausführlich|conséquences", "为什么|為什麼|なぜ|解释|详细|长期"],
);

/** Arithmetic and formula notation. */
export const mathNotation: Cue = {
  ascii: /\d\s*[-+*/^=]\s*\d|[a-z]\^\d|\bf\(x\)|\bsqrt\b/,
  other: /[×÷√∑∫≤≥]/,
};

/** A word problem: a question about quantities (counted with at least two numbers in it). */
export const wordProblem = cue([
  r`how (?:many|much|long|likely|far|fast)|what (?:is|are) the (?:odds|chance|probability)|when (?:does|will|do)\b`,
]);
