import { fireEvent, render, screen } from '@testing-library/react-native';

import { LeadSortPicker } from '../../src/ui/LeadSortPicker';

const WEB_WORDS = [
  ['-createdAt', 'Спочатку нові'],
  ['createdAt', 'Спочатку старі'],
  ['-updatedAt', 'Нещодавно оновлені'],
  ['updatedAt', 'Давно оновлені'],
  ['-price', 'Бюджет: більший спочатку'],
  ['price', 'Бюджет: менший спочатку'],
];

describe('LeadSortPicker', () => {
  it('folded: shows the current order; opened: the six orders in the web screen’s words, the current one checked', () => {
    render(<LeadSortPicker value="-updatedAt" onChange={jest.fn()} />);
    expect(screen.getByTestId('sort-current')).toHaveTextContent('Нещодавно оновлені ▾');
    expect(screen.queryByRole('radio')).toBeNull();

    fireEvent.press(screen.getByTestId('sort-toggle'));
    const options = screen.getAllByRole('radio');
    expect(options.map((o) => o.props.testID)).toEqual(WEB_WORDS.map(([value]) => `sort-option-${value}`));
    for (const [value, words] of WEB_WORDS) {
      expect(screen.getByTestId(`sort-option-${value}`)).toHaveTextContent(words);
      if (value === '-updatedAt') expect(screen.getByTestId(`sort-option-${value}`)).toBeChecked();
      else expect(screen.getByTestId(`sort-option-${value}`)).not.toBeChecked();
    }
  });

  it('a choice is applied at once and folds the list; choosing the current order sends nothing', () => {
    const onChange = jest.fn();
    render(<LeadSortPicker value="-createdAt" onChange={onChange} />);
    fireEvent.press(screen.getByTestId('sort-toggle'));
    fireEvent.press(screen.getByTestId('sort-option-price'));
    expect(onChange).toHaveBeenCalledWith('price');
    expect(screen.queryByRole('radio')).toBeNull();

    fireEvent.press(screen.getByTestId('sort-toggle'));
    fireEvent.press(screen.getByTestId('sort-option--createdAt'));
    expect(onChange).toHaveBeenCalledTimes(1);
  });
});
