package io.tranche.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MethodTest
{
    @Test
    void shouldNumberItsSlotsFromZeroInDeclarationOrder()
    {
        final Method[] methods = Method.values();
        for (int i = 0; i < methods.length; i++)
        {
            assertThat(methods[i].index()).as(methods[i].name()).isEqualTo(i);
        }
    }
}
