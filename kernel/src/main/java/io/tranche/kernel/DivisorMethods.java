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
     * @return a new rule for the method.
     */
    static Rule create(final Method method)
    {
        switch (method)
        {
            case DHONDT:
                return new DHondt();
            case SAINTE_LAGUE:
                return new SainteLague();
            case ADAMS:
                return new Adams();
            case DEAN:
                return new Dean();
            case HUNTINGTON_HILL:
                return new HuntingtonHill();
            default:
                throw new IllegalArgumentException("not a divisor method: " + method);
        }
    }
}
