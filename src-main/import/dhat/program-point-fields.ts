/**
 * The number members of a DHAT program point, in the order DHAT writes them
 * (what each means: the "File format notes" in valgrind's dhat/dh_main.c).
 */
export const PP_FIELDS = ['tb', 'tbk', 'tl', 'mb', 'mbk', 'gb', 'gbk', 'eb', 'ebk', 'rb', 'wb'] as const;
export type PpField = (typeof PP_FIELDS)[number];
