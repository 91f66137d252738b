import { fireEvent, render, screen } from '@testing-library/react-native';

import { mainContact } from '../../src/leads/contacts';
import { LeadRow } from '../../src/ui/LeadRow';
import { makeLead } from './helpers';

describe('lead row', () => {
  it("the main contact is amoCRM's main one, else the first with a known name; the others are counted", () => {
    expect(
      mainContact(makeLead(1, { contacts: [{ id: 1, name: 'Олег' }, { id: 2, name: 'Марія', isMain: true }] })),
    ).toEqual({ name: 'Марія', others: 1 });
    expect(mainContact(makeLead(1))).toBeNull();
    expect(mainContact(makeLead(1, { contacts: [{ id: 1, name: null }] }))).toBeNull();
    expect(mainContact(makeLead(1, { contacts: [{ id: 1, name: '  ' }, { id: 2, name: ' Олег ' }, { id: 3, name: null }] }))).toEqual({
      name: 'Олег',
      others: 2,
    });
  });

  it('shows name, budget, contact, stage, responsible, dates and tags; a tap opens the lead', () => {
    const onOpen = jest.fn();
    const lead = makeLead(4, {
      name: 'Вілла біля моря',
      price: 98500,
      contacts: [{ id: 11, name: 'Марія' }],
      tags: ['море', 'VIP'],
      createdAt: '2026-03-31T22:30:00Z',
      updatedAt: '2026-04-02T08:00:00Z',
    });
    render(<LeadRow lead={lead} onOpen={onOpen} />);
    expect(screen.getByText('Вілла біля моря')).toBeTruthy();
    expect(screen.getByTestId('lead-price-4')).toHaveTextContent('98\u00a0500');
    expect(screen.getByTestId('lead-contact-4')).toHaveTextContent('Контакт: Марія');
    expect(screen.getByText('Продажі · Перший контакт')).toBeTruthy();
    expect(screen.getByText('Відповідальний: Олена')).toBeTruthy();
    // 22:30 UTC on 31 March is 1 April in Kyiv (the unit tests' time zone).
    expect(screen.getByText('Створено: 01.04.2026 · Оновлено: 02.04.2026')).toBeTruthy();
    expect(screen.getByText('Теги: море, VIP')).toBeTruthy();
    fireEvent.press(screen.getByTestId('lead-row-4'));
    expect(onOpen).toHaveBeenCalledWith(lead);
  });

  it("the budget in the account's currency", () => {
    render(<LeadRow lead={makeLead(5, { price: 98500, currency: 'USD' })} onOpen={jest.fn()} />);
    expect(screen.getByTestId('lead-price-5')).toHaveTextContent('98\u00a0500\u00a0USD');
  });
});
