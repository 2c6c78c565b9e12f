package dev.graft.data.image;

import dev.graft.spi.DataException;
import dev.graft.spi.InputContract;
import java.util.Arrays;

/**
 * Turns one image file into the example a model's {@link InputContract} describes, as fetch-dataset made its
 * training examples: the same bounded decoder and channels, the same resize and crop, the same preprocessing.
 */
public final class ContractInput {

    private ContractInput() {
    }

    /**
     * The preprocessed example, {@code contract.size()} values channels first.
     *
     * @param step prefixes every message, such as {@code predict}
     * @param name names the image in messages, such as {@code image 0}
     * @throws DataException when the bytes are no readable image, exceed the limits, or do not fit the contract (a
     *                       model trained on feature rows, or another size where the contract does not resize)
     */
    public static float[] fromImage(byte[] bytes, String step, String name, InputContract contract,
                                    ImageDecoder.Limits limits) {
        long[] shape = contract.shape();
        if (!contract.images()) {
            throw new DataException(step + ": " + name + " is an image, but the model takes feature rows of shape "
                    + Arrays.toString(shape) + " (its input contract); expected {\"instances\": [[v1, v2, ...]]}");
        }
        int height = (int) shape[1];
        int width = (int) shape[2];
        DecodedImage image = ImageDecoder.decode(bytes, step, name, "expected PNG or JPEG bytes", contract.channels(),
                limits);
        if (contract.resize() != null) {
            image = Resampling.resize(image, height, width, "center".equals(contract.crop()));
        } else if (image.height() != height || image.width() != width) {
            throw new DataException(step + ": " + name + " is " + image.height() + "x" + image.width() + " (height x "
                    + "width); expected " + height + "x" + width + ", the size the model was trained on (its input "
                    + "contract does not resize: shape " + Arrays.toString(shape) + "); send an image of that size");
        }
        float[] example = new float[image.pixels().length];
        Preprocessing.apply(contract.preprocess(), image.pixels(), 0, example, 0, example.length, image.channels());
        return example;
    }
}
