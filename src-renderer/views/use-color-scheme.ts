import { useEffect, useState } from 'react';
import type { ColorScheme } from '../canvas/flame-colors';

const darkQuery = '(prefers-color-scheme: dark)';

/** The system's light or dark preference, followed live (the CSS follows it by itself; canvases need telling). */
export function useColorScheme(): ColorScheme {
  const [scheme, setScheme] = useState<ColorScheme>(() => (matchMedia(darkQuery).matches ? 'dark' : 'light'));
  useEffect(() => {
    const query = matchMedia(darkQuery);
    const update = () => setScheme(query.matches ? 'dark' : 'light');
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return scheme;
}
