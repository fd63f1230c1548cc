/**
 * Small DHAT files written by hand in valgrind's layout (one member group per
 * line, as dh_main.c prints them), for tests that break them on purpose: bad
 * input, and the reader's fast path against its general one. Real data is
 * recorded at test time elsewhere (memory-tools.ts recordDhat).
 */

/** One program point, as valgrind writes it: 64 bytes in 2 blocks from make <- main. */
export const PLAIN_POINT = '{"tb":64,"tbk":2\n  ,"tl":50\n  ,"mb":64,"mbk":2\n  ,"gb":32,"gbk":1\n  ,"eb":0,"ebk":0\n  ,"rb":10,"wb":64\n  ,"acc":[-32,1]\n  ,"fs":[1,2,3]\n  }';

/** A valid heap-mode file around `points` (program point texts), its ftbl naming frames 0 to 3. */
export function dhatFileWith(points: string[]): string {
  return `{"dhatFileVersion":2
,"mode":"heap","verb":"Allocated"
,"bklt":true,"bkacc":true
,"tu":"instrs","Mtu":"Minstr"
,"tuth":500
,"cmd":"./prog"
,"pid":123
,"te":1000
,"tg":900
,"pps":
 [${points.join('\n ,')}
 ]
,"ftbl":
 ["[root]"
 ,"0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)"
 ,"0x1091E1: make (prog.c:9)"
 ,"0x1090A7: main (prog.c:20)"
 ]
}
`;
}
