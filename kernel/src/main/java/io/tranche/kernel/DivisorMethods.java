package io.tranche.kernel;

/**
 * Factory for the divisor methods (DHONDT, SAINTE_LAGUE, ADAMS, DEAN, HUNTINGTON_HILL); see
 * {@link DivisorMethod} for the algorithm.
 */
final class DivisorMethods
{
    private DivisorMethods()
    {
    }

    /**
     * @param method   a method of kind {@link Method.Kind#DIVISOR}.
     * @param capacity claims the rule's scratch space holds from the start.
     * @return a new rule for the method.
     */
    static Rule create(final Method method, final int capacity)
    {
        switch (method)
        {
            case DHONDT:
                return new DHondt(capacity);
            case SAINTE_LAGUE:
                return new SainteLague(capacity);
            case ADAMS:
                return new Adams(capacity);
            case DEAN:
                return new Dean(capacity);
            case HUNTINGTON_HILL:
                return new HuntingtonHill(capacity);
            default:
                throw new IllegalArgumentException("not a divisor method: " + method);
        }
    }
}
