import { ChangeDirection } from '@internal/plugin-model-hub-common';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  // Green 800: at least 4.5:1 on white and on the striped rows (WCAG AA);
  // the theme's success.dark is 3.9:1 there.
  better: { color: '#2e7d32', fontWeight: 500 },
  worse: { color: theme.palette.error.main, fontWeight: 500 },
  neutral: { color: theme.palette.text.secondary },
}));

const WORDS: Record<ChangeDirection, string> = {
  better: 'better',
  worse: 'worse',
  same: 'unchanged',
  changed: 'changed',
  added: 'new',
  removed: 'gone',
};

/** A change in words and colour: green when better, red when worse (the word says it too). */
export function ChangeLabel(props: {
  direction: ChangeDirection;
  text?: string;
}) {
  const classes = useStyles();
  const { direction } = props;
  let className = classes.neutral;
  if (direction === 'better') className = classes.better;
  if (direction === 'worse') className = classes.worse;
  let arrow = '';
  if (direction === 'better') arrow = '▲ ';
  if (direction === 'worse') arrow = '▼ ';
  return (
    <span className={className} data-direction={direction}>
      {arrow}
      {props.text ? `${props.text} ` : ''}
      {WORDS[direction]}
    </span>
  );
}
