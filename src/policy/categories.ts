// Lantern's prompt policy as data: what each category refuses, in standard
// and in strict (classroom) mode, the word classes its phrases use, and the
// benign contexts that excuse a listed word. match.ts compiles it; policy.ts
// words the refusals. Nothing here is ever shown to the user: a refusal names
// its category (`label`), never the term that matched.
//
// Term syntax, one string per term:
//   'kill'             a word, with its inflections ('kills', 'killed', 'killing', 'killer')
//   'dead body'        a phrase: these words in order; up to three filler words
//                      (articles, possessives, 'all', numbers: GAP_WORDS) may sit between them
//   'cut|slit wrist'   '|' separates the alternatives for one word of a phrase
//   'shoot <person>'   <name> is any word of WORD_CLASSES[name]
//   '~porn'            a fragment, found inside any word ('p0rnhub'); only for long,
//                      unambiguous fragments, since inside words is where false refusals live
//
// Shapes World's own vocabulary (src/edit/vocabulary.ts) is never a term, whatever it
// sounds like: 'shoots', 'explodes', 'bounces', 'spins', 'shrinks', 'night',
// 'rain', 'sinks', 'hits'. The violent readings of 'shoot' and 'explode' are
// caught only with a person as their object ('shoot <person>', 'blow up
// <person>'), so "a red ball shoots across the sky" and "a star explodes into
// confetti" need no exception. ALLOWED_CONTEXTS below lists the few places
// where a listed word has a common harmless sense.

/** In priority order: when a prompt touches several, the refusal names the first. */
export const POLICY_CATEGORIES = ['minors', 'sexual', 'self-harm', 'hate', 'violence', 'weapons', 'real-people', 'profanity'] as const;
export type PolicyCategory = (typeof POLICY_CATEGORIES)[number];

/** 'strict' is for classrooms: everything standard refuses, and more (see each category's `strict`). */
export const POLICY_MODES = ['standard', 'strict'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** The text fields of a request the policy reads; each gets its own wording of a refusal. */
export const POLICY_FIELDS = ['prompt', 'negativePrompt', 'instruction', 'shot'] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];

export type CategoryRules = {
  /** What a refusal calls the category: "Lantern does not make clips involving {label}." */
  label: string;
  /** The label in strict mode, where the category is wider. */
  strictLabel: string;
  standard: readonly string[];
  /** Added in strict mode, on top of `standard`. */
  strict: readonly string[];
};

/**
 * Strict mode adds, for classrooms, what is fine for an adult but not in
 * front of a class of children: mild violence and frightening content
 * ('fight', 'blood', 'scary', 'zombie'), any weapon including toys and blades
 * ('toy gun', 'sword', 'knife'), suggestive clothing ('bikini', 'lingerie'),
 * taunts ('stupid', 'loser'), any public figure by role ('president',
 * 'celebrity') or a classmate or teacher, and swearing, which standard mode
 * leaves to the user. Strict adds nothing to self-harm and minors: standard
 * already refuses everything the lists can name there.
 */
export const POLICY: Readonly<Record<PolicyCategory, CategoryRules>> = {
  minors: {
    label: 'children in sexual or abusive situations',
    strictLabel: 'children in sexual or abusive situations',
    // Beyond these, any sexual term next to a word for a child (MINOR_WORDS,
    // or an age under 18) is refused as this category: see MINOR_SEXUALISING.
    standard: [
      ...['loli', 'lolicon', 'shota', 'shotacon', 'jailbait', 'pedophile', 'paedophile', 'pedophilia', 'paedophilia', '~pedophil', '~paedophil'],
      ...['pedo', 'paedo', 'csam', 'child abuse', 'abuse|molest|groom <minor>', 'child bride'],
    ],
    strict: [],
  },
  sexual: {
    label: 'sexual content or nudity',
    strictLabel: 'sexual or suggestive content',
    standard: [
      ...['sex', 'sexual', 'sexually', 'sexy', 'sexting', 'porn', '~porn', 'hentai', '~hentai', 'nsfw', '~nsfw', 'xxx', 'nude', 'nudes', 'nudity'],
      ...['naked', 'unclothed', 'topless', 'in the nude', 'without clothes', 'no clothes', 'undress <person>', 'erotic', 'erotica', '~erotic'],
      ...['lewd', 'smut', 'orgasm', 'orgy', 'masturbate', '~masturbat', 'blowjob', 'handjob', 'penis', 'vagina', 'genitals', 'genitalia', 'nipple'],
      ...['nipples', 'boob', 'boobs', 'stripper', 'striptease', 'strip club', 'fetish', 'bdsm', 'bondage', 'intercourse', 'making love', 'onlyfans'],
      ...['camgirl', 'milf', 'horny', 'dildo', 'prostitute', 'prostitution', 'brothel', 'rape', 'rapist', 'molest', 'grope', 'incest'],
      ...['fuck <person>', '<person> fucking'],
    ],
    strict: ['bikini', 'lingerie', 'underwear', 'panties', 'bra', 'thong', 'seductive', 'sensual', 'cleavage', 'busty', 'buttocks', 'making out', 'flirt'],
  },
  'self-harm': {
    label: 'self-harm or suicide',
    strictLabel: 'self-harm or suicide',
    standard: [
      ...['suicide', 'suicidal', 'unalive', '~suicid', 'self harm', 'selfharm', 'self injury', 'self mutilation'],
      ...['kill|hurt|harm|cut|hang|starve|shoot|stab <reflexive>', 'cut|slit|slice wrist|arm|thigh|skin', 'noose', 'overdose'],
      ...['end <possessive> life', 'take own life', 'want to die', 'wanna die', '<person> jump|leap off bridge|building|roof|cliff|skyscraper'],
      ...['kms', 'kys', 'pro ana', 'proana', 'thinspo', 'thinspiration', 'seppuku', 'harakiri'],
    ],
    strict: [],
  },
  hate: {
    label: 'hateful or demeaning content about people',
    strictLabel: 'hateful, demeaning or bullying content',
    standard: [
      // Slurs, kept to the commonest; a word list cannot know them all.
      ...['nigger', '~nigger', 'nigga', 'faggot', 'fag', 'kike', 'chink', 'spic', 'paki', 'wetback', 'raghead', 'towelhead', 'gook', 'tranny'],
      ...['retard'],
      // Symbols, movements and slogans.
      ...['nazi', 'neonazi', 'swastika', 'hakenkreuz', 'hitler', 'heil', 'kkk', 'ku klux klan', 'klansman', 'white power', 'white supremacy'],
      ...['white supremacist', 'master race', '1488', 'untermensch', 'subhuman', 'blackface', 'burning cross', 'cross burning', 'ethnic cleansing'],
      ...['hate crime', 'holocaust denial', 'racist', 'antisemitic', 'homophobic', 'transphobic', 'racial slur'],
      // Dehumanising a group, or calling for its harm.
      ...['kill|gas|exterminate|eradicate all <group>', 'kill|gas|exterminate|eradicate all of <group>', 'gas the <group>', 'death to <group>'],
      ...['<group> are|is <insult>', '<kind> people|folk are|is <insult>', '<group> control|run world|media|banks|government'],
      ...['<kind> people|folk control|run world|media|banks|government', 'holocaust was|is fake|hoax|myth|lie|exaggerated', 'holocaust hoax'],
      ...['holocaust never happened'],
    ],
    strict: ['idiot', 'stupid', 'moron', 'loser', 'dumb', 'fatso', 'freak', 'weirdo'],
  },
  violence: {
    label: 'violence or gore',
    strictLabel: 'violence, fighting or frightening scenes',
    standard: [
      ...['kill', 'murder', 'slaughter', 'massacre', 'homicide', 'manslaughter', 'genocide', '~genocid', 'behead', '~beheading', 'decapitate'],
      ...['~decapitat', 'dismember', '~dismember', 'disembowel', 'mutilate', 'mutilation', 'torture', 'stab', 'strangle', 'strangulation', 'impale'],
      ...['maim', 'gore', 'gory', 'gruesome', 'bloodbath', 'bloodshed', 'blood splatter', 'splattered blood', 'pool of blood', 'covered in blood'],
      ...['blood everywhere', 'bleeding out', '<person> bleed', '<person> is|was|are|were|lies|lay bleeding', 'make <person> bleed|suffer|scream'],
      ...['blood pour|gush|spurt|drip', 'spill guts', 'entrails', 'corpse', 'corpses', 'dead body', 'dead bodies', 'severed head|limb|arm|leg|hand'],
      ...['cut off head|arm|leg|hand|finger', 'slit throat', 'assassinate', 'assassination', 'execute <person>', 'public execution', 'lynch'],
      ...['lynching', 'terrorist', 'terrorism', 'terror attack', 'suicide bomber', 'suicide bombing', 'shooting spree', 'mass shooting'],
      ...['school shooting', 'active shooter', 'school shooter', 'mass shooter', 'gunman', 'gunmen', 'shoot <person>', 'shot <pronoun>'],
      ...['shoot|fire at <person>', '<person> is|was|were|got|gets|being|been shot|beaten|hanged|executed|whipped|abused', 'shot in head|chest|face'],
      ...['execution by', 'hanged', 'shot dead', 'shot to death', 'stabbed to death', 'beat|beaten to death', 'beat up <person>', 'beat <person>'],
      ...['beat <person> to death', 'beat <person> up', 'punch|kick|attack|choke|suffocate|drown|poison|torment <person>', 'burn <person> alive'],
      ...['burned|burnt alive', 'set <person> on fire', 'blow up <person>', 'blow <person> up', 'rip|tear <person> apart', '<person> torn apart'],
      ...['open fire', 'war crime', 'kidnap', 'kidnapping', 'abduct', 'hostage', 'cannibal', 'cannibalism', 'snuff film', 'violence', 'electrocute'],
      ...['domestic violence', 'assault'],
    ],
    strict: [
      ...['fight', 'fistfight', 'punch', 'slap', 'blood', 'bloody', 'bleed', 'wounded', 'injure', 'injured', 'hurt', 'bully', 'bullied', 'attack'],
      ...['war', 'warfare', 'death', 'dead', 'dying', 'scary', 'scare', 'horror', 'horrifying', 'terrifying', 'frightening', 'creepy', 'zombie'],
      ...['demon', 'jumpscare', 'jump scare'],
    ],
  },
  weapons: {
    label: 'weapons',
    strictLabel: 'weapons, toy ones included',
    standard: [
      ...['weapon', 'weapons', 'weaponry', 'gun', 'guns', 'gunfire', 'gunshot', 'gunpoint', 'handgun', 'shotgun', 'pistol', 'rifle', 'revolver'],
      ...['firearm', 'machine gun', 'machinegun', 'assault rifle', 'sniper', 'ak47', 'ak 47', 'ar15', 'ar 15', 'uzi', 'glock', 'ammo', 'ammunition'],
      ...['grenade', 'bomb', 'explosives', 'explosive device|vest|belt', 'suicide vest|belt', 'dynamite', 'tnt', 'ied', 'landmine', 'land mine'],
      ...['molotov', 'missile', 'rocket launcher', 'bazooka', 'nuke', 'nuclear bomb', 'atomic bomb', 'atom bomb', 'chemical weapon'],
      ...['biological weapon', 'bioweapon', 'nerve gas', 'sarin', 'brass knuckles'],
    ],
    strict: [
      ...['knife', 'knives', 'sword', 'dagger', 'machete', 'spear', 'bullet', 'cannon', 'crossbow', 'bow and arrow', 'blaster', 'lightsaber'],
      ...['taser', 'pepper spray'],
    ],
  },
  'real-people': {
    label: 'real people or public figures',
    strictLabel: 'real people, public figures or people you know',
    standard: [
      ...['deepfake', 'deep fake', 'face swap', 'faceswap', 'real person', 'real people', 'donald trump', 'trump', 'joe biden', 'biden'],
      ...['barack obama', 'obama', 'kamala harris', 'kamala', 'hillary clinton', 'bill clinton', 'clinton', 'vladimir putin', 'putin', 'xi jinping'],
      ...['jinping', 'kim jong un', 'zelensky', 'zelenskyy', 'narendra modi', 'emmanuel macron', 'macron', 'rishi sunak', 'boris johnson'],
      ...['keir starmer', 'justin trudeau', 'trudeau', 'angela merkel', 'merkel', 'erdogan', 'netanyahu', 'al gore', 'elon musk', 'musk'],
      ...['jeff bezos', 'bezos', 'mark zuckerberg', 'zuckerberg', 'bill gates', 'steve jobs', 'taylor swift', 'beyonce', 'rihanna', 'kanye'],
      ...['kim kardashian', 'kardashian', 'oprah', 'tom cruise', 'tom hanks', 'scarlett johansson', 'emma watson', 'billie eilish', 'ariana grande'],
      ...['justin bieber', 'selena gomez', 'lady gaga', 'cristiano ronaldo', 'ronaldo', 'lionel messi', 'lebron', 'michael jordan', 'greta thunberg'],
      ...['pope', 'queen elizabeth', 'king charles', 'prince harry', 'meghan markle', 'princess diana', 'stalin', 'mao zedong', 'bin laden'],
      ...['martin luther king', 'gandhi', 'albert einstein', 'mrbeast', 'mr beast', 'pewdiepie', 'joe rogan', 'snoop dogg', 'eminem'],
    ],
    strict: [
      ...['celebrity', 'celebrities', 'famous person', 'famous people', 'politician', 'president', 'prime minister', 'senator', 'influencer'],
      ...['youtuber', 'classmate', 'my teacher', 'our teacher', 'my|our principal', 'headteacher'],
    ],
  },
  profanity: {
    label: 'swearing',
    strictLabel: 'swearing',
    // Standard mode takes swearing: it is the user's own language, not harm to
    // anyone. Strict mode refuses it, as a classroom would.
    standard: [],
    strict: [
      ...['fuck', '~fuck', 'fck', 'fuk', 'shit', 'shitty', 'bullshit', 'bitch', 'bastard', 'asshole', 'arsehole', 'dick', 'dickhead', 'cunt', 'piss'],
      ...['pissed', 'wtf', 'stfu', 'damn', 'goddamn', 'crap', 'prick', 'twat', 'wanker', 'bollocks', 'slut', 'whore'],
    ],
  },
};

/** Words a phrase may skip between its words ('shoot the two men', 'slit his wrists'). */
export const GAP_WORDS: readonly string[] = [
  ...['the', 'a', 'an', 'this', 'that', 'these', 'those', 'my', 'your', 'his', 'her', 'their', 'our', 'its', 'own'],
  ...['some', 'all', 'every', 'each', 'two', 'three', 'several', 'many', 'few', 'other', 'another', 'whole', 'entire'],
  ...['innocent', 'poor', 'little', 'young', 'old', 'random', 'helpless', 'unarmed'],
];

/** Words for a child, unambiguous ones only ('girl' alone is often an adult). */
export const MINOR_WORDS: readonly string[] = [
  ...['child', 'children', 'kid', 'kids', 'teen', 'teens', 'teenager', 'teenagers', 'teenage', 'preteen', 'tween', 'toddler', 'toddlers'],
  ...['infant', 'infants', 'baby', 'babies', 'minor', 'minors', 'underage', 'schoolgirl', 'schoolgirls', 'schoolboy', 'schoolboys', 'juvenile'],
  ...['youngster', 'youngsters', 'loli', 'shota', 'little girl', 'little boy', 'young girl', 'young boy', 'under 18', 'under eighteen'],
];

/**
 * Words that sexualise a child though they are harmless for an adult: with a
 * word for a child (MINOR_WORDS) or an age under 18, these and every sexual
 * term of either mode refuse the prompt as 'minors'.
 */
export const MINOR_SEXUALISING: readonly string[] = [
  ...['bikini', 'lingerie', 'underwear', 'panties', 'thong', 'undress', 'undressed', 'undressing', 'seductive', 'seductively', 'provocative', 'sensual'],
  ...['busty', 'cleavage', 'kinky', 'in bed with', 'spread legs'],
];

/** The word classes phrases name in angle brackets. */
export const WORD_CLASSES: Readonly<Record<string, readonly string[]>> = {
  person: [
    ...['man', 'men', 'woman', 'women', 'person', 'people', 'persons', 'human', 'humans', 'guy', 'guys', 'lady', 'ladies', 'gentleman'],
    ...['boy', 'boys', 'girl', 'girls', 'child', 'children', 'kid', 'kids', 'baby', 'babies', 'toddler', 'teen', 'teens', 'teenager'],
    ...['him', 'her', 'them', 'me', 'us', 'you', 'he', 'she', 'they', 'we', 'i', 'someone', 'somebody', 'anyone', 'anybody', 'everyone'],
    ...['everybody', 'crowd', 'family', 'friend', 'friends', 'neighbour', 'neighbor', 'wife', 'husband', 'girlfriend', 'boyfriend'],
    ...['mom', 'mum', 'mother', 'dad', 'father', 'brother', 'sister', 'son', 'daughter', 'grandma', 'grandpa', 'teacher', 'teachers'],
    ...['student', 'students', 'classmate', 'classmates', 'cop', 'cops', 'police', 'policeman', 'officer', 'soldier', 'soldiers'],
    ...['civilian', 'civilians', 'victim', 'victims', 'hostage', 'hostages', 'president', 'king', 'queen', 'prisoner', 'prisoners'],
    ...['stranger', 'strangers', 'pedestrian', 'pedestrians', 'bystander', 'bystanders', 'villager', 'villagers', 'citizens'],
    ...['protester', 'protesters', 'protestor', 'protestors', 'doctor', 'nurse', 'priest', 'worker', 'workers', 'patient', 'patients'],
    ...['jew', 'jews', 'muslim', 'muslims', 'immigrant', 'immigrants', 'refugee', 'refugees', 'gay', 'gays', 'blacks', 'whites'],
  ],
  minor: MINOR_WORDS.filter((w) => !w.includes(' ')),
  reflexive: ['myself', 'yourself', 'himself', 'herself', 'themselves', 'themself', 'ourselves', 'yourselves', 'oneself'],
  possessive: ['my', 'your', 'his', 'her', 'their', 'our', 'own'],
  pronoun: ['him', 'her', 'them', 'me', 'you', 'us', 'someone', 'somebody', 'everyone', 'everybody', 'people'],
  /** Words that dehumanise a group of people. */
  insult: [
    ...['vermin', 'animals', 'subhuman', 'inferior', 'rats', 'parasites', 'cockroaches', 'apes', 'monkeys', 'scum', 'filth', 'savages'],
    ...['dogs', 'pigs', 'evil', 'a disease', 'disease', 'a plague', 'plague', 'criminals', 'terrorists', 'rapists', 'not human'],
  ],
  /** Adjectives that name a group ('black people'). */
  kind: [
    ...['black', 'white', 'brown', 'asian', 'jewish', 'muslim', 'christian', 'arab', 'mexican', 'chinese', 'indian', 'african'],
    ...['gay', 'lesbian', 'trans', 'transgender', 'disabled', 'immigrant', 'foreign'],
  ],
  group: [
    ...['jews', 'jew', 'muslims', 'muslim', 'christians', 'catholics', 'hindus', 'sikhs', 'blacks', 'whites', 'asians', 'arabs'],
    ...['africans', 'mexicans', 'latinos', 'indians', 'chinese', 'immigrants', 'refugees', 'migrants', 'gays', 'lesbians', 'homosexuals'],
    ...['trans', 'transgender', 'gypsies', 'roma', 'women', 'men', 'disabled'],
  ],
};

export type AllowedContext = {
  /** Matched like a phrase term; the words it covers are not held against the lists. */
  phrase: string;
  modes: readonly ('standard' | 'strict')[];
  why: string;
};

const BOTH = ['standard', 'strict'] as const;

/**
 * Harmless phrases that contain a listed word. Each is an exception because
 * the phrase means something else than the word does; an exception never
 * excuses a neighbouring term ("kill the lights and kill the man" is refused).
 */
export const ALLOWED_CONTEXTS: readonly AllowedContext[] = [
  { phrase: 'kill the light|lights|music|engine', modes: BOTH, why: "switching something off; an edit instruction may say 'kill the lights'" },
  { phrase: 'killer whale', modes: BOTH, why: 'an animal (orca)' },
  { phrase: 'blood red|orange|moon', modes: BOTH, why: 'a colour, a fruit and an eclipse; strict lists blood' },
  { phrase: 'dead centre|center|end|still|calm', modes: BOTH, why: "'exactly', a road, 'perfectly still'; strict lists dead" },
  { phrase: 'star war|wars', modes: BOTH, why: 'the film series; strict lists war' },
  { phrase: 'bullet point|points|train|journal', modes: BOTH, why: 'a list mark, a train, a notebook; strict lists bullet' },
  { phrase: 'pillow|snowball|food|water|balloon fight', modes: BOTH, why: 'play, not violence; strict lists fight' },
  { phrase: 'heart attack', modes: BOTH, why: 'a medical emergency; strict lists attack' },
  { phrase: 'dying star|light|fire', modes: BOTH, why: 'astronomy and fading light; strict lists dying' },
  { phrase: 'stab of light|colour|color', modes: BOTH, why: 'a sudden bit of light or colour' },
  { phrase: 'murder mystery|mysteries', modes: BOTH, why: 'a story genre' },
  { phrase: 'fruit|hole punch', modes: BOTH, why: 'a drink and a stationery tool; strict lists punch' },
  { phrase: 'punch line|card', modes: BOTH, why: "a joke's ending and a card with holes; strict lists punch" },
  { phrase: 'smoking gun', modes: BOTH, why: "an idiom for 'proof'" },
  { phrase: 'jump the gun', modes: BOTH, why: "an idiom for 'start too early'" },
  { phrase: 'gun metal|grey|gray', modes: BOTH, why: 'a colour (gunmetal grey)' },
  { phrase: 'glue|nail|staple|heat|spray gun', modes: BOTH, why: 'tools, not weapons' },
  { phrase: 'pistol grip', modes: BOTH, why: 'the handle of a tool' },
  { phrase: 'riding shotgun', modes: BOTH, why: "an idiom for 'the front passenger seat'" },
  { phrase: 'pistol shrimp', modes: BOTH, why: 'an animal' },
  { phrase: 'rifle through', modes: BOTH, why: "the verb 'to search through'" },
  { phrase: 'bath|colour|color|glitter|confetti|paint|seed bomb', modes: BOTH, why: 'a soap, party and garden things, a burst of colour' },
  { phrase: 'bomb of colour|color|confetti|glitter', modes: BOTH, why: 'a burst of colour' },
  { phrase: 'bomber jacket', modes: BOTH, why: 'clothing' },
  { phrase: 'wire stripper|strippers', modes: BOTH, why: 'a tool' },
  { phrase: 'gore tex', modes: BOTH, why: 'a fabric' },
  { phrase: 'murder of crows', modes: BOTH, why: 'a flock of crows' },
  { phrase: 'take stab at', modes: BOTH, why: "an idiom for 'try'" },
  { phrase: 'naked eye', modes: BOTH, why: "an idiom for 'without a telescope'" },
  { phrase: 'chink|chinks of|in', modes: BOTH, why: "'a chink of light', 'a chink in the armour': a narrow opening" },
  { phrase: 'trump card', modes: BOTH, why: 'card games' },
  { phrase: 'musk ox|deer|scent|perfume|oil', modes: BOTH, why: 'animals and a scent' },
  { phrase: 'naked mole rat', modes: BOTH, why: 'an animal' },
  { phrase: 'naked truth', modes: BOTH, why: "an idiom for 'the plain truth'" },
  { phrase: 'horny toad|lizard', modes: BOTH, why: 'an animal' },
  { phrase: 'suicide prevention|awareness|hotline|helpline', modes: BOTH, why: 'help and prevention, not self-harm' },
  { phrase: 'self harm prevention|awareness|hotline|helpline', modes: BOTH, why: 'help and prevention, not self-harm' },
  {
    phrase: 'toy|water|squirt|nerf|bubble|laser|ray|paintball gun|pistol',
    modes: ['standard'],
    why: 'toys and science fiction, fine for adults; strict refuses them (a classroom rule against pretend guns)',
  },
  { phrase: 'nude colour|color|coloured|colored|tone|shade', modes: ['standard'], why: 'a beige colour name; strict keeps the word out' },
];
