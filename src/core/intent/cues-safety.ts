import { cue } from "./cue.js";

/** The safety lexicon (lower-cased user text only: system prompts often quote such phrases to forbid them). */

const r = String.raw;

/** Jailbreak phrasing: overriding instructions, personas without rules, prompt extraction. */
export const jailbreak = cue(
  [
    r`ignor(?:e|ing) (?:all |any |the |your |of )*(?:previous|prior|above|earlier|preceding|initial|system) (?:instructions|prompts?|rules|directions)`,
    r`disregard (?:all |any |the |your )*(?:previous|prior|above)|ignora (?:todas |todos )?(?:las |los )?(?:instrucciones|indicaciones)`,
    r`ignora (?:tutte )?(?:le )?istruzioni|ignore[sz]? (?:toutes )?(?:les )?instructions`,
    r`no (?:ethical|moral) (?:guidelines|limits|constraints|restrictions|boundaries)|without (?:any )?(?:ethics|morals)`,
    r`ignoriere (?:alle )?(?:vorherigen |bisherigen )?(?:anweisungen|instruktionen)`,
    r`do anything now\b|jailbr(?:eak|oken)|developer mode\b|dan mode\b|you are (?:now )?dan\b`,
    r`no (?:content )?(?:policy|policies|restrictions|filters|guidelines)\b|without (?:any )?(?:restrictions|filters|censorship)\b`,
    r`pretend (?:that )?you (?:are|have) no\b|(?:reveal|print|show|repeat|output|tell me) (?:me )?(?:your|the) (?:system|initial|hidden) (?:prompt|instructions)`,
    r`prompt del sistema|system-?prompt|oublie (?:toutes )?(?:tes |vos )?instructions|sans (?:aucune )?(?:censure|restriction)`,
    r`sin (?:censura|restricciones)|ohne zensur|repeat the (?:words|text) above|act as my (?:deceased |late |dead )?grand(?:ma|mother|pa|father)`,
    r`ignor(?:e|a|ar) (?:todas |todos )?(?:as |os )?(?:instruções|instrucoes|regras)|esque[cç]a (?:todas )?(?:as )?instruções|prompt de sistema`,
    r`(?:ignore|forget|drop|break) (?:all )?(?:of )?(?:your|the|these) (?:rules|guidelines|restrictions|safety)\b`,
  ],
  ["忽略(?:之前|以上|所有|前面)|指示を無視|ohne einschränkungen"],
);

/** Requests for clearly harmful help: weapons, drugs, malware, fraud, stalking, violence, self-harm. */
export const harmfulRequest = cue([
  r`(?:make|build|assemble) (?:a |an )?(?:pipe )?(?:bomb|explosive)|pipe bomb|methamphetamine|cook meth\b`,
  r`synthesi[sz]e (?:meth|sarin|ricin|fentanyl|nerve)|nerve agent|sarin\b|ricin\b`,
  r`(?:write|create|build|code|develop|make) (?:a |an |me )?(?:\w+ )?(?:ransomware|malware|keylogger|virus|worm|trojan)\b`,
  r`(?:write|create|draft|make|craft|generate) (?:a |an |me a )?(?:convincing |realistic |fake )*phishing`,
  r`hack(?:ing)? into\b|steal (?:passwords?|credit cards?|someone)|toxic gas\b|poison (?:someone|him|her|my)`,
  r`kill (?:myself|himself|herself|someone|somebody|people|him|her|them|my )|suicide\b`,
  r`hurt (?:someone|somebody|myself|people)\b|without a background check\b|untraceable (?:gun|weapon|poison)`,
  r`child (?:porn|sexual)|napalm\b|thermite\b|ddos\b|flood(?:s|ing)? (?:a |the )?(?:website|server|site)`,
  r`(?:track|spy on|monitor) (?:my |his |her )?(?:girlfriend|boyfriend|wife|husband|partner|ex)`,
  r`without (?:her|him|them) (?:knowing|noticing|consent)|hardest to detect|undetectable (?:poison|way)`,
  r`get rid of (?:my|the|a) (?:neighbou?r|wife|husband|boss|ex|body)|fake (?:passport|id|driver'?s licen[cs]e)`,
  r`forged? (?:documents?|passport|signature)|hotwire|sql injection payload|working exploit`,
  r`bypass (?:the )?(?:login|authentication|content filter)|aggirare il filtro|(?:valid |working |real )?credit card numbers|cvv\b`,
  r`ransom (?:note|letter|demand)|kidnap(?:ped|ping)?\b|hostage (?:note|letter|demand)`,
  r`(?:hack|crack|break into|get into) (?:my |his |her |their |a |the |someone(?:'s| else's)? )?(?:\w+(?:'s|s') )?(?:wi-?fi|e-?mail|account|phone|instagram|facebook|snapchat|whatsapp|password)`,
  r`(?:pills|tablets|dose|overdose)\b.{0,40}(?:not wake up|never wake|to die|kill (?:me|myself)|end it)|lethal dose|(?:not|never) wake up again`,
]);
