package dev.graft.data;

/** The on-disk layout of a data set; {@link #AUTO} detects it from the files. */
public enum DataFormat {

    /** Detect: a .zip is extracted first, then IDX files, a .csv file or train.csv, or class sub-folders of images. */
    AUTO,

    /** MNIST-style IDX files, raw or gzipped: train-images-idx3-ubyte and train-labels-idx1-ubyte, optionally a t10k- or test- pair. */
    IDX,

    /** A .csv file with a header row, or a folder with train.csv and an optional test.csv. */
    CSV,

    /** One sub-folder of images per class, optionally under train/ and test/; read as one grayscale channel. */
    IMAGES
}
